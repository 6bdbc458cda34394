#pragma once
// PBS sync-job group filters: "[include:|exclude:]type:vm", "group:vm/100", "regex:RE" (RE is
// matched against "type/id"). No include filter: every group; otherwise the groups matching at
// least one include. Then the groups matching any exclude are removed.

#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "datastore/names.h"
#include "util/result.h"

namespace pbs::datastore {

class GroupFilter {
 public:
  static Result<GroupFilter> parse(std::string_view text);
  bool exclude() const { return exclude_; }
  bool matches(const GroupRef& group) const;
  const std::string& text() const { return text_; }

 private:
  enum class Kind { type, group, regex };
  std::string text_;
  bool exclude_ = false;
  Kind kind_ = Kind::type;
  std::string value_;
  std::shared_ptr<const std::regex> regex_;
};

bool group_selected(const std::vector<GroupFilter>& filters, const GroupRef& group);

}  // namespace pbs::datastore
