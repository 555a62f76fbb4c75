/**
 * The status line of `pvdump run` on a terminal: the VM's run state and how long it has run, on
 * stderr, drawn at the start and then every second. It is cleared before the guest's console
 * output (and not drawn over a console line that is not finished), and when the run ends or a dump
 * draws its own progress. Nothing at all when disabled (stderr not a terminal, or --json).
 */
const CLEAR_LINE = '\r\x1b[K';

export class RunStatusLine {
  private shown = false;
  private timer: NodeJS.Timeout | undefined;
  /** False while the console's last output did not end a line: drawing would overwrite it. */
  private consoleAtLineStart = true;

  constructor(
    private readonly describe: () => string,
    private readonly enabled: boolean,
    private readonly write: (text: string) => void = (text) => void process.stderr.write(text),
  ) {}

  start(): void {
    if (!this.enabled || this.timer !== undefined) return;
    this.draw();
    this.timer = setInterval(() => this.draw(), 1000);
    this.timer.unref();
  }

  /** Call before the guest's console text goes out; `text` is that text. */
  beforeConsole(text: string): void {
    this.clear();
    if (text.length > 0) this.consoleAtLineStart = text.endsWith('\n');
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private draw(): void {
    if (!this.consoleAtLineStart) return;
    this.write(CLEAR_LINE + this.describe());
    this.shown = true;
  }

  private clear(): void {
    if (!this.shown) return;
    this.write(CLEAR_LINE);
    this.shown = false;
  }
}
