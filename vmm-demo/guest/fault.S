// fault.S: a guest that reads an address nothing is mapped at (the VMM must report it).
    .section .text.start, "ax"
    .global _start
_start:
    movz    x1, #0x0800, lsl #16      // 0x0800_0000: below the UART, unmapped
    ldr     w0, [x1]
    b       .
