/** The keys of the interactive UI: one table drives both the handling and the `h` help. */
import { colors as pc } from './colors.js';

export type KeyAction = 'rerun' | 'run-all' | 'skip-group' | 'quit' | 'help';

export const KEYS: ReadonlyArray<{ key: string; label: string; description: string; action: KeyAction }> = [
  { key: '\r', label: 'Enter', description: 're-run the current step now', action: 'rerun' },
  { key: 'a', label: 'a', description: 'run the whole suite', action: 'run-all' },
  { key: 's', label: 's', description: 'skip to the next failure group', action: 'skip-group' },
  { key: 'q', label: 'q', description: 'quit', action: 'quit' },
  { key: 'h', label: 'h', description: 'show these keys', action: 'help' },
];

const CTRL_C = '\u0003';

export function keysHelp(): string {
  return ['Keys:', ...KEYS.map(({ label, description }) => `  ${pc.bold(label.padEnd(5))} ${description}`)].join('\n') + '\n';
}

/**
 * Reads single key presses from a TTY in raw mode. Ctrl-C becomes a real SIGINT, so that it
 * takes the same way out as a kill. Returns the function that gives the terminal back.
 */
export function listenForKeys(stdin: NodeJS.ReadStream, onKey: (action: KeyAction) => void): () => void {
  const onData = (data: Buffer) => {
    for (const char of data.toString('utf8')) {
      if (char === CTRL_C) {
        process.kill(process.pid, 'SIGINT');
        continue;
      }
      const entry = KEYS.find(({ key }) => key === (char === '\n' ? '\r' : char.toLowerCase()));
      if (entry) onKey(entry.action);
    }
  };
  let terminalGone = false;
  // The terminal closed (EIO) before its SIGHUP came: take the hangup's way out, never a crash that
  // resets the dead terminal on exit, which aborts Node 20 (nodejs/node#51519).
  const onGone = () => {
    terminalGone = true;
    process.kill(process.pid, 'SIGHUP');
  };
  stdin.setRawMode(true);
  stdin.on('data', onData);
  stdin.on('error', onGone);
  stdin.resume();
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    stdin.off('data', onData);
    if (stdin.isTTY && !terminalGone) stdin.setRawMode(false);
    stdin.pause();
  };
  // A crash must not leave the user's shell in raw mode.
  process.once('exit', restore);
  return restore;
}
