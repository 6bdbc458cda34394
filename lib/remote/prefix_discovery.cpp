#include "remote/prefix_discovery.h"

#include <vector>

#include "s3/xml.h"

namespace pbs::remote {

Result<std::string> only_prefix(transfer::RequestInterface& requests, const std::string& bucket) {
  s3::ListOptions o;
  o.delimiter = "/";
  PBS_ASSIGN(auto r, requests.execute(s3::list_objects(bucket, o)));
  PBS_ASSIGN(auto page, s3::parse_list_page(r.body_text()));
  std::vector<std::string> names;
  for (auto p : page.common_prefixes) {
    if (!p.empty() && p.back() == '/') p.pop_back();
    if (!p.empty() && p.front() != '.') names.push_back(p);
  }
  if (names.size() <= 1) return names.empty() ? std::string() : names.front();
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  return Error(Errc::invalid_argument, "s3://" + bucket + " holds several prefixes (" + list + "): name one as s3://" +
                                           bucket + "/PREFIX or with PREFIX= in the STORAGE entry");
}

}  // namespace pbs::remote
