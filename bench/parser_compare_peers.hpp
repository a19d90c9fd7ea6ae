// The other parsers of bench/parser_compare, each in a file of its own (sofia-sip's and oSIP's SDP
// headers declare the same C type names). Each returns false when the parse failed or lost one
// of the routing headers.
#pragma once

#include <string>

namespace parley::bench::peers {

void init();
void deinit();

bool sofia_sip(const std::string& bytes);
bool sofia_sdp(const std::string& bytes);
bool osip_sip(const std::string& bytes);
bool osip_sdp(const std::string& bytes);

} // namespace parley::bench::peers
