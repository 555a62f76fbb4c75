/**
 * QMP errors: `{"error": {"class": C, "desc": D}}` with QEMU 7.2's classes (qapi/error.json:
 * GenericError, CommandNotFound, DeviceNotActive, DeviceNotFound, KVMMissingCap) and its
 * descriptions for the argument checks of the QAPI input visitor (`qapi/qmp-dispatch.c`,
 * `qapi/qobject-input-visitor.c`), as the real QEMU answers them.
 */

export type QmpErrorClass = 'GenericError' | 'CommandNotFound' | 'DeviceNotActive' | 'DeviceNotFound' | 'KVMMissingCap';

export class QmpError extends Error {
  override readonly name = 'QmpError';
  constructor(
    readonly errorClass: QmpErrorClass,
    readonly desc: string,
  ) {
    super(desc);
  }
}

export const generic = (desc: string): QmpError => new QmpError('GenericError', desc);

export const QmpErrors = {
  parse: (reason: string) => generic(`JSON parse error, ${reason}`),
  notObject: () => generic('QMP input must be a JSON object'),
  memberNotString: (member: string) => generic(`QMP input member '${member}' must be a string`),
  memberNotObject: (member: string) => generic(`QMP input member '${member}' must be an object`),
  memberUnexpected: (member: string) => generic(`QMP input member '${member}' is unexpected`),
  executeMissing: () => generic("QMP input lacks member 'execute'"),
  bothExecutes: () => generic("QMP input must not have both 'execute' and 'exec-oob'"),
  commandNotFound: (name: string) => new QmpError('CommandNotFound', `The command ${name} has not been found`),
  expectingNegotiation: () => new QmpError('CommandNotFound', "Expecting capabilities negotiation with 'qmp_capabilities'"),
  alreadyNegotiated: () => new QmpError('CommandNotFound', 'Capabilities negotiation is already complete, command ignored'),
  noOob: (name: string) => generic(`The command ${name} does not support OOB`),
  oobNotEnabled: () => generic("QMP input member 'exec-oob' is unexpected"),
  missingParameter: (name: string) => generic(`Parameter '${name}' is missing`),
  unexpectedParameter: (name: string) => generic(`Parameter '${name}' is unexpected`),
  invalidType: (name: string, expected: string) => generic(`Invalid parameter type for '${name}', expected: ${expected}`),
  invalidParameter: (name: string) => generic(`Invalid parameter '${name}'`),
  badEnumValue: (name: string, value: string) => generic(`Parameter '${name}' does not accept value '${value}'`),
};
