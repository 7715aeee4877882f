/* main.c: the demo guest. Each step prints "PASS name" or "FAIL name: details" on the UART;
 * main returns the number of failures, which start.S writes to the exit register. */
#include "abi.h"

static unsigned failures;

static void putc_(char c) {
  while (mmio_read32(UART_BASE + UART_FR) & (1u << 5)) {
  }
  mmio_write32(UART_BASE + UART_DR, (uint8_t)c);
}
static void puts_(const char *s) {
  while (*s) putc_(*s++);
}
static void puthex(uint64_t v) {
  static const char digits[] = "0123456789abcdef";
  char buf[19];
  int n = 0;
  buf[n++] = '0';
  buf[n++] = 'x';
  int shift = 60;
  while (shift > 0 && ((v >> shift) & 0xF) == 0) shift -= 4;
  for (; shift >= 0; shift -= 4) buf[n++] = digits[(v >> shift) & 0xF];
  buf[n] = 0;
  puts_(buf);
}

/* check(name, got, want): one PASS or FAIL line. */
static void check(const char *name, uint64_t got, uint64_t want) {
  if (got == want) {
    puts_("PASS ");
    puts_(name);
    puts_("\n");
    return;
  }
  ++failures;
  puts_("FAIL ");
  puts_(name);
  puts_(": got ");
  puthex(got);
  puts_(", want ");
  puthex(want);
  puts_("\n");
}

static volatile uint64_t ram_word;

int main(void) {
  ram_word = 0x1122334455667788ULL;
  check("ram", ram_word, 0x1122334455667788ULL);
  return (int)failures;
}
