#!/usr/bin/env node
/**
 * `pvdump`: make, inspect and decrypt IBM Z Secure Execution guest dumps.
 * Each subcommand lives in `commands/<name>.ts` and is loaded only when used.
 */
import { fsReason, UsageError, UserError, type Command } from './cli-support.js';

/** Subcommand name → module under ./commands (loaded lazily so `pvdump info` stays fast). */
const COMMANDS: Record<string, string> = {
  info: './commands/info.js',
  hostkey: './commands/hostkey.js',
  image: './commands/image.js',
  decrypt: './commands/decrypt.js',
  exec: './commands/exec.js',
  run: './commands/run.js',
};

async function loadCommand(name: string): Promise<Command> {
  return ((await import(COMMANDS[name]!)) as { command: Command }).command;
}

/** The overview: every command with its one-line summary. */
async function help(): Promise<string> {
  const rows = await Promise.all(Object.keys(COMMANDS).map(async (name) => `  ${name.padEnd(9)} ${(await loadCommand(name)).summary}`));
  return `usage: pvdump <command> [options]

Make, inspect and decrypt IBM Z Secure Execution (Protected Virtualization) guest dumps.

commands:
${rows.join('\n')}

Run 'pvdump <command> --help' for a command's options.`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? process.stderr : process.stdout).write((await help()) + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    process.stdout.write('pvdump 0.1.0\n');
    return 0;
  }
  if (!Object.hasOwn(COMMANDS, name)) throw new UsageError(`unknown command '${name}'\n\n${await help()}`);
  const command = await loadCommand(name);
  if (!command.runsSynchronously) exitOnSignals();
  if (!command.ownsHelp && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(command.usage + '\n');
    return 0;
  }
  return command.run(rest);
}

/** Exit status when the reader of our output went away: 128 + SIGPIPE, what a shell shows for `cat` killed by it. */
const CLOSED_PIPE_STATUS = 141;

/** EPIPE anywhere in the error or its causes: the reader of stdout (or stderr) has gone. */
function isClosedPipe(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') return true;
  }
  return false;
}

// A closed pipe (`pvdump info X | head -1`) ends the command at once and silently, as Unix
// tools do; any other write error on stdout is the user's to know about.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (isClosedPipe(err)) process.exit(CLOSED_PIPE_STATUS);
    if (stream === process.stdout) process.stderr.write(`pvdump: cannot write to the standard output: ${fsReason(err)}\n`);
    process.exit(1);
  });
}

/**
 * Interrupted: one line for Ctrl-C, and the usual 128 + signal status. Temporary files go with
 * the process (their 'exit' handlers), helper processes and threads too.
 */
function exitOnSignals(): void {
  for (const [signal, status] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.on(signal, () => {
      // On a terminal the line starts fresh (after ^C or a progress line).
      if (signal === 'SIGINT') process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}pvdump: interrupted\n`);
      process.exit(status);
    });
  }
}

/** Exit status of an internal error (a bug in pvdump): sysexits' EX_SOFTWARE. */
const INTERNAL_ERROR_STATUS = 70;

function reportInternalError(err: unknown): void {
  process.stderr.write(`pvdump: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (isClosedPipe(err)) {
      process.exitCode = CLOSED_PIPE_STATUS;
    } else if (err instanceof UsageError) {
      process.stderr.write(`pvdump: ${err.message}\n`);
      process.exitCode = 2;
    } else if (err instanceof UserError || isPvdumpInputError(err)) {
      process.stderr.write(`pvdump: ${(err as Error).message}\n`);
      process.exitCode = 1;
    } else {
      reportInternalError(err);
      process.exitCode = INTERNAL_ERROR_STATUS;
    }
  },
);

// What escapes every handler (thrown in an event handler or a timer, a promise nobody awaits) is
// a bug too: the same message and status, at once, instead of Node's own report (status 1, which
// reads as bad input) or a command left waiting for an event that will not come.
const endOnEscapedError = (err: unknown): void => {
  if (isClosedPipe(err)) process.exit(CLOSED_PIPE_STATUS);
  reportInternalError(err);
  process.exit(INTERNAL_ERROR_STATUS);
};
process.on('uncaughtException', endOnEscapedError);
process.on('unhandledRejection', endOnEscapedError);

/** Errors the libraries raise for bad input carry `userError: true`; they are reported without a stack. */
function isPvdumpInputError(err: unknown): boolean {
  return err instanceof Error && (err as { userError?: unknown }).userError === true;
}
