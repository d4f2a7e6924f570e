// Placeholder replaced by the CLI dispatcher.
#include <cstdio>
int main() { return 0; }
