/* abi.h: the guest ABI of vmm-demo (vmm-demo/README.md), for guests written in C. */
#ifndef VMM_DEMO_GUEST_ABI_H
#define VMM_DEMO_GUEST_ABI_H

#include <stdint.h>

#define RAM_BASE 0x40000000UL
#define RAM_SIZE 0x08000000UL
#define UART_BASE 0x09000000UL
#define UART_DR 0x00 /* data: a byte written is output */
#define UART_FR 0x18 /* flags: bit 5 TXFF (never set here) */
#define EXIT_REG 0x09100000UL
#define ECAM_BASE 0x3F000000UL
#define PCI32_BASE 0x10000000UL
#define PCI32_LAST 0x3EFFFFFFUL
#define PCI64_BASE 0x8000000000UL
#define PCI64_SIZE 0x1000000000UL
#define CFMWS_BASE 0x10000000000UL
#define CFMWS_SIZE 0x400000000UL

static inline uint8_t mmio_read8(uint64_t a) { return *(volatile uint8_t *)a; }
static inline uint16_t mmio_read16(uint64_t a) { return *(volatile uint16_t *)a; }
static inline uint32_t mmio_read32(uint64_t a) { return *(volatile uint32_t *)a; }
static inline uint64_t mmio_read64(uint64_t a) { return *(volatile uint64_t *)a; }
static inline void mmio_write8(uint64_t a, uint8_t v) { *(volatile uint8_t *)a = v; }
static inline void mmio_write16(uint64_t a, uint16_t v) { *(volatile uint16_t *)a = v; }
static inline void mmio_write32(uint64_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline void mmio_write64(uint64_t a, uint64_t v) { *(volatile uint64_t *)a = v; }

#endif
