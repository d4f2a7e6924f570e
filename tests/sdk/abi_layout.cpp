// The layout assertions of abi_layout.c, compiled as C++ (plus the string
// checks only C++ can make at compile time).
#include "abi_layout.c"
