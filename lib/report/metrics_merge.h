#pragma once
// Several runs' Prometheus textfile lines as one file: the exposition format wants each metric's
// HELP, TYPE and samples together, once, so the runs' lines are regrouped by metric.

#include <string>
#include <vector>

namespace pbs::report {

std::string merge_metrics(const std::vector<std::string>& texts);

}  // namespace pbs::report
