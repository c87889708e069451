/**
 * Given code for this exercise: the task format and the call to the thumbnail API.
 * You don't need to change this file.
 */

/** A task as it arrives on TASKS_QUEUE (JSON body; its messageId is the taskId). */
export interface Task {
  taskId: string;
  image: string;
  width: number;
}

export type ThumbnailResult = { ok: true } | { ok: false; error: string };

/** Where things are: the lab sets these for every run. */
export const config = {
  amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  tasksQueue: process.env.TASKS_QUEUE ?? 'tasks',
  deadLetterQueue: process.env.DEAD_LETTER_QUEUE ?? 'tasks.dead-letter',
  thumbnailApiUrl: process.env.THUMBNAIL_API_URL ?? 'http://127.0.0.1:8080',
  /** Total attempts per task, the first one included. */
  maxAttempts: Number(process.env.MAX_ATTEMPTS ?? 3),
  /** The most unacknowledged tasks your worker may hold at once. */
  prefetchLimit: Number(process.env.PREFETCH_LIMIT ?? 10),
};

/** Asks the thumbnail API to make the thumbnail. 200 means done; anything else failed
 *  (some failures are temporary, some images are simply broken). Never throws. */
export async function makeThumbnail(task: Task): Promise<ThumbnailResult> {
  try {
    const response = await fetch(`${config.thumbnailApiUrl}/thumbnails`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(task),
    });
    if (response.ok) return { ok: true };
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    return { ok: false, error: body.error ?? `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, error: String(error) };
  }
}
