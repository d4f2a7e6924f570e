// The environment a converter's tool starts with: the parent's, minus every
// credential it could leak (a tool, its log files or its own children have no
// business with the vCenter password or a cloud key), plus what the
// ConverterConfig asks for. In that order, so `environment` may set again a
// variable a tool really needs.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hypersdk::process {

// The credential variables of every provider hypersdk ships or plans to
// (vSphere, AWS, Azure, GCP), removed from every child whatever the host
// asks: the host adds the variables of each option a plugin declares secret
// (ConverterConfig.environment_unset), and this list covers the vendors'
// own conventions that no loaded plugin may declare. Why each is here is in
// child_environment.cpp.
const std::vector<std::string_view>& provider_credential_variables();

// `parent` (an environ-style NULL-terminated "NAME=value" array) without the
// variables named in `unset` or in provider_credential_variables(), then each
// of `set` (replacing any entry of the same name). Order of the parent's
// entries is kept; `set` comes last, sorted by name.
std::vector<std::string> child_environment(const char* const* parent, const std::vector<std::string>& unset,
                                           const std::map<std::string, std::string>& set);

}  // namespace hypersdk::process
