/** Types for the `qemu-qmp` npm client (it ships none): the parts the tests use. */
declare module 'qemu-qmp' {
  class QMP {
    /** From the server's greeting. */
    version: { qemu: { major: number; minor: number; micro: number }; package: string };
    capabilities: string[];
    connect(path: string, callback: (err?: Error) => void): this;
    connect(port: number, host: string, callback: (err?: Error) => void): this;
    execute(command: string, args: object | undefined, callback: (err: Error | null, result: unknown) => void): void;
    /** Events arrive under their lower-case names ('stop', 'resume', 'dump_completed', ...). */
    on(event: string, listener: (...args: unknown[]) => void): this;
    end(): void;
    destroy(): void;
  }
  export = QMP;
}
