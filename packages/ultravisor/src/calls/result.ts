// Helpers that turn a handler's outcome into cc/rc/rrc (spec ultravisor.md §1, §3).
import type { UvResult } from '../state.js';
import { UvCondition, UvRc } from '../uvc/codes.js';

export const ok = (): UvResult => ({ cc: UvCondition.OK, rc: UvRc.EXECUTED, rrc: 0 });
export const fail = (rc: number, rrc = 0): UvResult => ({ cc: UvCondition.ERROR, rc, rrc });
