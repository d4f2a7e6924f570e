// hyperexport: the program. Everything else is in the hyperexport_cli library.
#include <string>
#include <vector>

#include "cli.hpp"
#include "signal_scope.hpp"

int main(int argc, char** argv) {
    hypersdk::host::install_interrupt_handlers();
    return hypersdk::host::run_cli(std::vector<std::string>(argv + 1, argv + argc));
}
