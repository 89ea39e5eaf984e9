/**
 * What each file looked like when a change to it was last handed to the loop. The watcher can deliver
 * one write twice: an in-place save is a truncate then a write, which a busy machine may see in two
 * deliveries, the second after the run the first one started has read the file; git and some editors
 * touch a file twice. A delivery that finds the file just as it was handed on brings nothing new.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

export class DeliveredStamps {
  private readonly stamps = new Map<string, string>();

  /** Of `files`, those that may differ from what was last handed on; they count as handed on from now. */
  takeChanged(files: readonly string[]): string[] {
    return files.filter((file) => {
      const stamp = stampOf(file);
      if (this.stamps.get(file) === stamp) return false;
      this.stamps.set(file, stamp);
      return true;
    });
  }
}

/** Past this size a file is told by its size and times alone. */
const HASHED_BYTES = 4 * 1024 * 1024;

/**
 * Times tell a touch (a save, even of the same text) from a redelivery; the content tells two writes
 * apart that a coarse file-system clock gave the same times, such as two writes of one length in a few ms.
 */
function stampOf(file: string): string {
  try {
    const stat = statSync(file, { bigint: true });
    const times = `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
    if (!stat.isFile() || stat.size > HASHED_BYTES) return times;
    return `${times}:${createHash('sha1').update(readFileSync(file)).digest('base64')}`;
  } catch {
    return 'gone';
  }
}
