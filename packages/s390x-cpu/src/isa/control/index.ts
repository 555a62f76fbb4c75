// Control and privileged instructions (PoO chapter 10): composed into the instruction table by
// `../table.ts`.

import type { InstructionDef } from '../types.js';
import { clockInstructions } from './clock.js';
import { datInstructions } from './dat.js';
import { frameInstructions } from './frames.js';
import { interceptedInstructions } from './intercepted.js';
import { interpretiveInstructions } from './interpretive.js';
import { monitorInstructions } from './monitor.js';
import { moveOptionalInstructions } from './move-optional.js';
import { pswInstructions } from './psw.js';
import { registerInstructions } from './registers.js';
import { storageKeyInstructions } from './storage-keys.js';
import { storageAttributeInstructions } from './storage-attributes.js';
import { topologyInstructions } from './topology.js';
import { timingFacilityInstructions } from './timing-facility.js';

export const controlInstructions: InstructionDef[] = [
  ...pswInstructions,
  ...registerInstructions,
  ...clockInstructions,
  ...interceptedInstructions,
  ...monitorInstructions,
  ...datInstructions,
  ...storageKeyInstructions,
  ...frameInstructions,
  ...storageAttributeInstructions,
  ...topologyInstructions,
  ...timingFacilityInstructions,
  ...interpretiveInstructions,
  ...moveOptionalInstructions,
];
