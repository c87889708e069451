/**
 * A run's Prometheus target file (`<namespace>.json` in the targets folder, written by
 * workloads/blocks/prometheus.ts): its "namespace" in Prometheus. A brokerlab killed before
 * its cleanup leaves the file behind, and Prometheus would keep scraping a dead address;
 * `brokerlab up` sweeps such files like the other brokers' stale namespaces.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { prometheusTargetsDir } from '../brokers/prometheus.js';
import { isBrokerlabName } from './names.js';

/** The target files ("bl-....json", and a ".json.tmp" a killed run was writing) in the folder. */
export function targetFiles(dir: string = prometheusTargetsDir()): string[] {
  try {
    return readdirSync(dir).filter((name) => isBrokerlabName(name) && /\.json(\.tmp)?$/.test(name)).sort();
  } catch {
    return []; // no folder yet: nothing left
  }
}

/** Removes the target files `stale` says belong to runs long over; returns their names. */
export function removeTargetFiles(stale: (name: string) => boolean, dir: string = prometheusTargetsDir()): string[] {
  const removed = targetFiles(dir).filter(stale);
  for (const name of removed) rmSync(join(dir, name), { force: true });
  return removed;
}
