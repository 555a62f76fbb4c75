;; The XTS whitening kernel of the batched decryptor (xts-batch.ts; spec pv-dump-crypto.md §7,
;; IEEE 1619 XTS). Compiled to whiten-wasm.ts at build time by scripts/compile-wat.mjs (wabt).
;;
;; whiten(tweakPtr, groups, dataPtr, blocksPerUnit, savePtr), one unit per group, and whiten4,
;; four units per group: for each unit u, T = the 16 bytes at tweakPtr + 16u (T0, already
;; AES-encrypted); then for each of its blocks, block ^= T, T is saved at the same offset from
;; savePtr as the block has from dataPtr (so the second whitening is a plain XOR, unwhiten), and
;; T = T·α. The units of a group lie back to back; block j of all of them is done before block
;; j + 1. Each T·α depends on the previous one (a chain of ~5 dependent instructions), so one unit
;; at a time leaves the CPU waiting; four independent chains keep it busy.
;;
;; T·α with T as two little-endian 64-bit lanes [lo, hi] (byte 0 least significant, as IEEE 1619):
;; the arithmetic shift [lo >>s 63, hi >>s 63] gives all-ones where a lane's top bit is set; with
;; the lanes swapped and masked by [0x87, 1] that is exactly what to XOR into (T << 1): the carry
;; out of hi folds back as 0x87 into lo, the carry out of lo moves into hi. T << 1 is T + T per
;; lane (no multiply: i64x2.mul is slow on x86).
;;
;; unwhiten(dataPtr, savePtr, bytes): data ^= the saved T values, 64 bytes per step while there
;; are 64, then 16 (bytes is a multiple of 16).
;;
;; The memory is shared, so worker results can be written from it without a copy; it starts with
;; one 64 KiB page and may grow to 1 GiB (a shared memory needs a maximum).
(module
  (type $whitenType (func (param i32 i32 i32 i32 i32)))
  (type $unwhitenType (func (param i32 i32 i32)))
  (func $whiten (type $whitenType)
    (param $tweak i32) (param $groups i32) (param $data i32) (param $blocks i32) (param $save i32)
    (local $left i32) (local $stride1 i32) (local $stride2 i32) (local $stride3 i32) (local $p i32) (local $a i32) (local $delta i32)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128) (local $carry v128)
    local.get $save
    local.get $data
    i32.sub
    local.set $delta
    ;; unit strides in bytes: 1, 2 and 3 units
    local.get $blocks
    i32.const 4
    i32.shl
    local.set $stride1
    local.get $stride1
    local.get $stride1
    i32.add
    local.set $stride2
    local.get $stride2
    local.get $stride1
    i32.add
    local.set $stride3
    block
      loop
        local.get $groups
        i32.eqz
        br_if 1
        local.get $tweak
        v128.load align=16
        local.set $t0
        local.get $blocks
        local.set $left
        local.get $data
        local.set $p
        loop
          ;; block ^= T, save T, T = T·α
          local.get $p
          local.tee $a
          local.get $a
          v128.load align=16
          local.get $t0
          v128.xor
          v128.store align=16
          local.get $a
          local.get $delta
          i32.add
          local.get $t0
          v128.store align=16
          local.get $t0
          i32.const 63
          i64x2.shr_s
          local.tee $carry
          local.get $carry
          i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
          v128.const i8x16 0x87 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0
          v128.and
          local.get $t0
          local.get $t0
          i64x2.add
          v128.xor
          local.set $t0
          local.get $p
          i32.const 16
          i32.add
          local.set $p
          local.get $left
          i32.const 1
          i32.sub
          local.tee $left
          br_if 0
        end
        local.get $tweak
        i32.const 16
        i32.add
        local.set $tweak
        local.get $data
        local.get $stride1
        i32.add
        local.set $data
        local.get $groups
        i32.const 1
        i32.sub
        local.set $groups
        br 0
      end
    end)
  (func $whiten4 (type $whitenType)
    (param $tweak i32) (param $groups i32) (param $data i32) (param $blocks i32) (param $save i32)
    (local $left i32) (local $stride1 i32) (local $stride2 i32) (local $stride3 i32) (local $p i32) (local $a i32) (local $delta i32)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128) (local $carry v128)
    local.get $save
    local.get $data
    i32.sub
    local.set $delta
    ;; unit strides in bytes: 1, 2 and 3 units
    local.get $blocks
    i32.const 4
    i32.shl
    local.set $stride1
    local.get $stride1
    local.get $stride1
    i32.add
    local.set $stride2
    local.get $stride2
    local.get $stride1
    i32.add
    local.set $stride3
    block
      loop
        local.get $groups
        i32.eqz
        br_if 1
        local.get $tweak
        v128.load align=16
        local.set $t0
        local.get $tweak
        v128.load offset=16 align=16
        local.set $t1
        local.get $tweak
        v128.load offset=32 align=16
        local.set $t2
        local.get $tweak
        v128.load offset=48 align=16
        local.set $t3
        local.get $blocks
        local.set $left
        local.get $data
        local.set $p
        loop
          ;; unit 0 at p: block ^= T, save T, T = T·α
          local.get $p
          local.tee $a
          local.get $a
          v128.load align=16
          local.get $t0
          v128.xor
          v128.store align=16
          local.get $a
          local.get $delta
          i32.add
          local.get $t0
          v128.store align=16
          local.get $t0
          i32.const 63
          i64x2.shr_s
          local.tee $carry
          local.get $carry
          i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
          v128.const i8x16 0x87 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0
          v128.and
          local.get $t0
          local.get $t0
          i64x2.add
          v128.xor
          local.set $t0
          ;; unit 1 at p + stride1
          local.get $p
          local.get $stride1
          i32.add
          local.tee $a
          local.get $a
          v128.load align=16
          local.get $t1
          v128.xor
          v128.store align=16
          local.get $a
          local.get $delta
          i32.add
          local.get $t1
          v128.store align=16
          local.get $t1
          i32.const 63
          i64x2.shr_s
          local.tee $carry
          local.get $carry
          i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
          v128.const i8x16 0x87 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0
          v128.and
          local.get $t1
          local.get $t1
          i64x2.add
          v128.xor
          local.set $t1
          ;; unit 2 at p + stride2
          local.get $p
          local.get $stride2
          i32.add
          local.tee $a
          local.get $a
          v128.load align=16
          local.get $t2
          v128.xor
          v128.store align=16
          local.get $a
          local.get $delta
          i32.add
          local.get $t2
          v128.store align=16
          local.get $t2
          i32.const 63
          i64x2.shr_s
          local.tee $carry
          local.get $carry
          i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
          v128.const i8x16 0x87 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0
          v128.and
          local.get $t2
          local.get $t2
          i64x2.add
          v128.xor
          local.set $t2
          ;; unit 3 at p + stride3
          local.get $p
          local.get $stride3
          i32.add
          local.tee $a
          local.get $a
          v128.load align=16
          local.get $t3
          v128.xor
          v128.store align=16
          local.get $a
          local.get $delta
          i32.add
          local.get $t3
          v128.store align=16
          local.get $t3
          i32.const 63
          i64x2.shr_s
          local.tee $carry
          local.get $carry
          i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
          v128.const i8x16 0x87 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0
          v128.and
          local.get $t3
          local.get $t3
          i64x2.add
          v128.xor
          local.set $t3
          local.get $p
          i32.const 16
          i32.add
          local.set $p
          local.get $left
          i32.const 1
          i32.sub
          local.tee $left
          br_if 0
        end
        local.get $tweak
        i32.const 64
        i32.add
        local.set $tweak
        ;; the next group starts four units on: data + 2·stride2
        local.get $data
        local.get $stride2
        i32.add
        local.get $stride2
        i32.add
        local.set $data
        local.get $groups
        i32.const 1
        i32.sub
        local.set $groups
        br 0
      end
    end)
  (func $unwhiten (type $unwhitenType)
    (param $data i32) (param $save i32) (param $bytes i32)
    ;; 64 bytes at a time while there are 64
    block
      loop
        local.get $bytes
        i32.const 64
        i32.lt_u
        br_if 1
        local.get $data
        local.get $data
        v128.load align=16
        local.get $save
        v128.load align=16
        v128.xor
        v128.store align=16
        local.get $data
        local.get $data
        v128.load offset=16 align=16
        local.get $save
        v128.load offset=16 align=16
        v128.xor
        v128.store offset=16 align=16
        local.get $data
        local.get $data
        v128.load offset=32 align=16
        local.get $save
        v128.load offset=32 align=16
        v128.xor
        v128.store offset=32 align=16
        local.get $data
        local.get $data
        v128.load offset=48 align=16
        local.get $save
        v128.load offset=48 align=16
        v128.xor
        v128.store offset=48 align=16
        local.get $data
        i32.const 64
        i32.add
        local.set $data
        local.get $save
        i32.const 64
        i32.add
        local.set $save
        local.get $bytes
        i32.const 64
        i32.sub
        local.set $bytes
        br 0
      end
    end
    ;; then 16 at a time
    block
      loop
        local.get $bytes
        i32.eqz
        br_if 1
        local.get $data
        local.get $data
        v128.load align=16
        local.get $save
        v128.load align=16
        v128.xor
        v128.store align=16
        local.get $data
        i32.const 16
        i32.add
        local.set $data
        local.get $save
        i32.const 16
        i32.add
        local.set $save
        local.get $bytes
        i32.const 16
        i32.sub
        local.set $bytes
        br 0
      end
    end)
  (memory $mem 1 16384 shared)
  (export "whiten" (func $whiten))
  (export "whiten4" (func $whiten4))
  (export "unwhiten" (func $unwhiten))
  (export "mem" (memory $mem)))
