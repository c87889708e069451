/** `brokerlab` with no arguments: placeholder for the interactive menu, being written. */
import { stdout } from '../output.js';

export async function runMenu(): Promise<void> {
  stdout('Run `brokerlab list` to see the exercises, then `brokerlab check <id>`.');
}
