/* Lesson 1, pointers: the source lesson's program (Method 1 and Method 2),
 * plus one step it leaves out: writing to B through its pointer.
 *
 * Build it with `make build/pointers` (or `cargo run -p checker -- build-c`)
 * and run `build/pointers`. The Rust version you write prints the same lines.
 */
#include <stdio.h>

int main(void)
{
    /* We define a local variable A, the actual declaration */
    int A = 1;
    /* Now we define the pointer variable, and point it to A using the & operator */
    int *pointer_to_A = &A;

    printf("Method 1:\nThe value A is %d\n", A);
    printf("The value of A is also %d\n", *pointer_to_A);

    int B = 2;
    /* Let's define a pointer variable pB */
    int *pB;
    /* store the address of B in pointer variable */
    pB = &B;

    /* %p expects a void *, so the pointers are cast to one */
    printf("\nMethod 2:\nThe address of B variable is %p\n", (void *)&B);
    printf("However the address stored in the pB variable is %p\n", (void *)pB);
    printf("And the value of the *pB variable is %d\n", *pB);

    /* A pointer can also write: this changes B itself, not a copy of it */
    *pB += 1;
    printf("After *pB += 1, the value of B is %d\n", B);

    /* stdout is fully buffered when it is a pipe (as when the checker runs
     * this program): flush it so that nothing is lost. */
    fflush(stdout);
    return 0;
}
