/*
 * The two ways this x86_64 process can enter the kernel, written as inline assembly so that
 * every bit of every argument reaches the registers as given (the libc wrappers would truncate
 * or sign-extend some of them, and set errno).
 */
#include "probe.h"

int64_t raw_syscall64(uint64_t nr, const uint64_t args[6])
{
    register uint64_t r10 __asm__("r10") = args[3];
    register uint64_t r8 __asm__("r8") = args[4];
    register uint64_t r9 __asm__("r9") = args[5];
    uint64_t rax = nr;

    __asm__ volatile("syscall"
                     : "+a"(rax)
                     : "D"(args[0]), "S"(args[1]), "d"(args[2]), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory", "cc");
    return (int64_t)rax;
}

/*
 * i386 convention: eax = nr; ebx, ecx, edx, esi, edi, ebp = arguments 0..5; result in eax.
 * rbp cannot be named as a clobber, so it is saved on the stack, below the red zone of the
 * calling function (which may hold live data: this file is compiled without -mno-red-zone).
 */
int64_t raw_int80(uint64_t nr, const uint64_t args[6])
{
    uint64_t rax = nr & 0xffffffffu;

    __asm__ volatile("sub $128, %%rsp\n\t"
                     "push %%rbp\n\t"
                     "mov 0(%[a]), %%rbx\n\t"
                     "mov 8(%[a]), %%rcx\n\t"
                     "mov 16(%[a]), %%rdx\n\t"
                     "mov 24(%[a]), %%rsi\n\t"
                     "mov 32(%[a]), %%rdi\n\t"
                     "mov 40(%[a]), %%rbp\n\t" /* last: the compiler may have put %[a] in rbp */
                     "int $0x80\n\t"
                     "pop %%rbp\n\t"
                     "add $128, %%rsp"
                     : "+a"(rax)
                     : [a] "r"(args)
                     : "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", "cc");
    return (int64_t)(int32_t)(uint32_t)rax;
}
