// spin.S: a guest that never exits (the VMM's budget must end it).
    .section .text.start, "ax"
    .global _start
_start:
    b       _start
