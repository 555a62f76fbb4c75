// A virtio-net device on the channel subsystem (OASIS virtio 1.1 §4.3 "Virtio Over Channel I/O"),
// as far as a guest observes it without driving the network: SENSE ID identifies the control unit
// as virtio (type 0x3832) with the virtio device ID as its model (1, network card; §5.1), device
// type and model 0; NO-OPERATION completes. [E] The virtio-ccw commands that set the device up
// (revision, features, queues, status, indicators) are not offered: like any command the device
// does not know, they end with unit check and command reject (PoO 15 "Sense", byte 0 bit 0).

/** Control-unit type of every virtio-ccw device. */
export const VIRTIO_CCW_CU_TYPE = 0x3832;
/** Virtio device ID of a network card. */
export const VIRTIO_ID_NET = 1;

export const CcwCommand = { SENSE: 0x04, NOP: 0x03, SENSE_ID: 0xe4 } as const;

/** SENSE ID data length: 8 bytes of identification and 62 command-information-word slots, all invalid (zero). */
const SENSE_ID_LENGTH = 256;
const SENSE_COMMAND_REJECT = 0x80;

/** What a command did: bytes for the channel to store (a read), or how many it took (a write), or a unit check. */
export type CommandResult = { kind: 'read'; data: Uint8Array } | { kind: 'control' } | { kind: 'unit-check' };

/** An I/O device behind a subchannel: executes one command at a time. */
export interface IoDevice {
  execute(command: number): CommandResult;
}

export class VirtioNetCcw implements IoDevice {
  /** Sense bytes of the last unit check (SENSE reads them). */
  private sense = new Uint8Array(32);

  execute(command: number): CommandResult {
    if (command === CcwCommand.SENSE_ID) {
      this.sense = new Uint8Array(32);
      const id = new Uint8Array(SENSE_ID_LENGTH);
      id[0] = 0xff;
      id[1] = VIRTIO_CCW_CU_TYPE >> 8;
      id[2] = VIRTIO_CCW_CU_TYPE & 0xff;
      id[3] = VIRTIO_ID_NET;
      return { kind: 'read', data: id };
    }
    if (command === CcwCommand.SENSE) {
      const data = this.sense;
      this.sense = new Uint8Array(32);
      return { kind: 'read', data };
    }
    if (command === CcwCommand.NOP) return { kind: 'control' };
    this.sense = new Uint8Array(32);
    this.sense[0] = SENSE_COMMAND_REJECT;
    return { kind: 'unit-check' };
  }
}
