#include "cli.h"

int main(int argc, char** argv) { return pbs::cli::run(argc, argv); }
