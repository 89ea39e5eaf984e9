/** Keeps the last `limitBytes` of a stream, so that a test printing 100 MB cannot exhaust memory. */
export class OutputTail {
  private chunks: Buffer[] = [];
  private keptBytes = 0;
  private droppedBytes = 0;

  constructor(private readonly limitBytes: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.keptBytes += chunk.length;
    while (this.keptBytes > this.limitBytes && this.chunks.length > 0) {
      const excess = this.keptBytes - this.limitBytes;
      const first = this.chunks[0]!;
      if (first.length <= excess) {
        this.chunks.shift();
        this.keptBytes -= first.length;
        this.droppedBytes += first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.keptBytes -= excess;
        this.droppedBytes += excess;
      }
    }
  }

  toString(): string {
    let kept = Buffer.concat(this.chunks);
    if (this.droppedBytes === 0) return kept.toString('utf8');
    // The cut may fall inside a character: its continuation bytes (10xxxxxx) go with the part cut.
    let start = 0;
    while (start < Math.min(3, kept.length) && (kept[start]! & 0xc0) === 0x80) start++;
    kept = kept.subarray(start);
    return `… ${(this.droppedBytes + start).toLocaleString('en-US')} earlier bytes cut\n${kept.toString('utf8')}`;
  }
}
