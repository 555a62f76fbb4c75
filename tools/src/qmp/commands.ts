/**
 * The QMP commands of the monitor and their arguments, checked as QEMU 7.2's QAPI input visitor
 * checks them: members in schema order (the first missing or mistyped one is reported), then any
 * member the schema does not have ("Parameter 'x' is unexpected"). Commands without arguments
 * accept an absent or empty `arguments` object.
 *
 * Schemas from QEMU's qapi/*.json: `dump-guest-memory` {paging: bool, protocol: str, *detach:
 * bool, *begin: int, *length: int, *format: DumpGuestMemoryFormat}, `human-monitor-command`
 * {command-line: str, *cpu-index: int}, `qmp_capabilities` {*enable: [QMPCapability]}.
 */
import { generic, QmpErrors } from './errors.js';
import { runHmpCommand } from './hmp.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json.js';
import type { VmMonitor } from './vm.js';

type ArgType = { kind: 'bool' } | { kind: 'str' } | { kind: 'int' } | { kind: 'enum'; values: readonly string[] } | { kind: 'enum-list'; values: readonly string[] };
interface ArgSpec {
  name: string;
  type: ArgType;
  optional?: boolean;
}

const DUMP_FORMATS = ['elf', 'kdump-zlib', 'kdump-lzo', 'kdump-snappy', 'win-dmp'] as const;
/** `query-dump-guest-memory-capability`'s formats: what the recorded QEMU 7.2 answers. */
const CAPABLE_FORMATS = ['elf', 'kdump-zlib'] as const;

/** Checks `args` against `schema`; returns the members by name. */
export function checkArguments(schema: readonly ArgSpec[], args: JsonObject): Map<string, JsonValue> {
  const out = new Map<string, JsonValue>();
  for (const spec of schema) {
    const value = args[spec.name];
    if (value === undefined) {
      if (spec.optional !== true) throw QmpErrors.missingParameter(spec.name);
      continue;
    }
    out.set(spec.name, checkType(spec.name, spec.type, value));
  }
  for (const name of Object.keys(args)) {
    if (!schema.some((s) => s.name === name)) throw QmpErrors.unexpectedParameter(name);
  }
  return out;
}

function checkType(name: string, type: ArgType, value: JsonValue): JsonValue {
  switch (type.kind) {
    case 'bool':
      if (typeof value !== 'boolean') throw QmpErrors.invalidType(name, 'boolean');
      return value;
    case 'str':
      if (typeof value !== 'string') throw QmpErrors.invalidType(name, 'string');
      return value;
    case 'int':
      if (!(typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value)))) throw QmpErrors.invalidType(name, 'integer');
      if (BigInt(value) < -(1n << 63n) || BigInt(value) >= 1n << 63n) throw QmpErrors.invalidType(name, 'integer');
      return value;
    case 'enum':
      if (typeof value !== 'string') throw QmpErrors.invalidType(name, 'string');
      if (!type.values.includes(value)) throw QmpErrors.badEnumValue(name, value);
      return value;
    case 'enum-list':
      if (!Array.isArray(value)) throw QmpErrors.invalidType(name, 'array');
      value.forEach((v, i) => checkType(`${name}[${i}]`, { kind: 'enum', values: type.values }, v));
      return value;
  }
}

export interface CommandContext {
  vm: VmMonitor;
}

interface CommandDef {
  args: readonly ArgSpec[];
  /** Returns the `return` value (an empty object for commands that return nothing). */
  run(args: Map<string, JsonValue>, ctx: CommandContext): JsonValue | Promise<JsonValue>;
}

const empty = (): JsonObject => ({});

export const COMMANDS: Record<string, CommandDef> = {
  'query-status': { args: [], run: (_a, { vm }) => vm.queryStatus() },
  stop: {
    args: [],
    run: (_a, { vm }) => {
      vm.stop();
      return empty();
    },
  },
  cont: {
    args: [],
    run: (_a, { vm }) => {
      vm.cont();
      return empty();
    },
  },
  system_reset: {
    args: [],
    run: (_a, { vm }) => {
      vm.systemReset();
      return empty();
    },
  },
  quit: {
    args: [],
    run: (_a, { vm }) => {
      vm.quit();
      return empty();
    },
  },
  'query-cpus-fast': { args: [], run: (_a, { vm }) => vm.queryCpusFast() },
  // QEMU 7.2 as Debian builds it (with zlib, without lzo and snappy) answers elf and kdump-zlib.
  'query-dump-guest-memory-capability': { args: [], run: () => ({ formats: [...CAPABLE_FORMATS] }) },
  'query-dump': { args: [], run: (_a, { vm }) => vm.queryDump() },
  'dump-guest-memory': {
    args: [
      { name: 'paging', type: { kind: 'bool' } },
      { name: 'protocol', type: { kind: 'str' } },
      { name: 'detach', type: { kind: 'bool' }, optional: true },
      { name: 'begin', type: { kind: 'int' }, optional: true },
      { name: 'length', type: { kind: 'int' }, optional: true },
      { name: 'format', type: { kind: 'enum', values: DUMP_FORMATS }, optional: true },
    ],
    run: async (a, { vm }) => {
      const format = a.get('format') as string | undefined;
      const begin = a.get('begin') as number | bigint | undefined;
      const length = a.get('length') as number | bigint | undefined;
      const paging = a.get('paging') as boolean;
      if (format !== undefined && format !== 'elf' && (paging || begin !== undefined || length !== undefined)) {
        throw generic("kdump-compressed format doesn't support paging or filter");
      }
      if (begin !== undefined && length === undefined) throw QmpErrors.missingParameter('length');
      if (begin === undefined && length !== undefined) throw QmpErrors.missingParameter('begin');
      if (format === 'win-dmp') throw generic('Windows dump is only available for x86-64');
      // [E] The dump driver writes ELF only: every kdump format, kdump-zlib too (which the
      // capability lists as QEMU does), gets QEMU's answer for a kdump format it was built without.
      if (format !== undefined && format !== 'elf') throw generic(`${format} is not available now`);
      const filter = begin !== undefined && length !== undefined ? { begin: BigInt(begin), length: BigInt(length) } : undefined;
      await vm.dumpGuestMemory(a.get('protocol') as string, filter === undefined ? { paging } : { paging, filter }, a.get('detach') === true);
      return empty();
    },
  },
  'human-monitor-command': {
    args: [
      { name: 'command-line', type: { kind: 'str' } },
      { name: 'cpu-index', type: { kind: 'int' }, optional: true },
    ],
    run: (a, { vm }) => {
      const index = a.get('cpu-index');
      if (index !== undefined && (BigInt(index as number) < 0n || BigInt(index as number) >= BigInt(vm.machine.vcpus().length))) {
        throw QmpErrors.invalidParameter('cpu-index');
      }
      return runHmpCommand(a.get('command-line') as string, () => vm.cpuStates(), index === undefined ? 0 : Number(index));
    },
  },
};

/** `qmp_capabilities`'s arguments; the only capability is `oob`. */
export const CAPABILITIES_ARGS: readonly ArgSpec[] = [{ name: 'enable', type: { kind: 'enum-list', values: ['oob'] }, optional: true }];

export function argumentsOf(request: JsonObject): JsonObject {
  const args = request.arguments;
  return isJsonObject(args) ? args : {};
}
