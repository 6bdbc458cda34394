#include "datastore/group_filter.h"

namespace pbs::datastore {

Result<GroupFilter> GroupFilter::parse(std::string_view text) {
  GroupFilter f;
  f.text_ = std::string(text);
  std::string_view rest = text;
  if (rest.starts_with("include:")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("exclude:")) {
    f.exclude_ = true;
    rest.remove_prefix(8);
  }
  auto bad = [&](const std::string& why) {
    return Error(Errc::invalid_argument, "group filter '" + std::string(text) + "': " + why);
  };
  if (rest.starts_with("type:")) {
    f.kind_ = Kind::type;
    f.value_ = std::string(rest.substr(5));
    if (!parse_backup_type(f.value_)) return bad("type must be vm, ct or host");
  } else if (rest.starts_with("group:")) {
    f.kind_ = Kind::group;
    f.value_ = std::string(rest.substr(6));
    if (!parse_group({}, f.value_)) return bad("group must be TYPE/ID, e.g. vm/100");
  } else if (rest.starts_with("regex:")) {
    f.kind_ = Kind::regex;
    f.value_ = std::string(rest.substr(6));
    try {
      f.regex_ = std::make_shared<const std::regex>(f.value_, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return bad(std::string("invalid regular expression: ") + e.what());
    }
  } else {
    return bad("expected [include:|exclude:]type:..., group:... or regex:...");
  }
  return f;
}

bool GroupFilter::matches(const GroupRef& group) const {
  switch (kind_) {
    case Kind::type: return type_name(group.type) == value_;
    case Kind::group: return group.name() == value_;
    case Kind::regex: return std::regex_search(group.name(), *regex_);
  }
  return false;
}

bool group_selected(const std::vector<GroupFilter>& filters, const GroupRef& group) {
  bool any_include = false, included = false;
  for (const auto& f : filters) {
    if (f.exclude()) continue;
    any_include = true;
    included = included || f.matches(group);
  }
  if (any_include && !included) return false;
  for (const auto& f : filters) {
    if (f.exclude() && f.matches(group)) return false;
  }
  return true;
}

}  // namespace pbs::datastore
