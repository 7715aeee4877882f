// start.S: the guest's entry (vmm-demo/README.md, "Guest ABI"): the VMM starts it at the ELF
// entry with the MMU off, SP at the top of RAM. Enable FP/SIMD (CPACR_EL1.FPEN) in case the
// compiler uses it, clear .bss, run main, and write its result to the exit register.
    .section .text.start, "ax"
    .global _start
_start:
    mov     x0, #(3 << 20)
    msr     cpacr_el1, x0
    isb
    ldr     x0, =__bss_start
    ldr     x1, =__bss_end
1:  cmp     x0, x1
    b.hs    2f
    str     xzr, [x0], #8
    b       1b
2:  bl      main
    ldr     x1, =0x09100000
    str     w0, [x1]
3:  wfi
    b       3b
