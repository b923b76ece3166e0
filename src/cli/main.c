#include "table/table.h"
int main(void) { return 0; }
