// sofia-sip (libsofia-sip-ua) for bench/parser_compare.
#include "parser_compare_peers.hpp"

extern "C" {
#include <sofia-sip/msg.h>
#include <sofia-sip/sdp.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/su.h>
}

namespace parley::bench::peers {

// msg_make(): a new msg_t, the bytes copied into it, every header parsed; then destroyed.
bool sofia_sip(const std::string& bytes) {
    msg_t* msg =
        msg_make(sip_default_mclass(), 0, bytes.data(), static_cast<ssize_t>(bytes.size()));
    if (msg == nullptr) return false;
    sip_t const* sip = sip_object(msg);
    const bool ok = sip != nullptr && sip->sip_error == nullptr && msg_extract_errors(msg) == 0 &&
                    (sip->sip_request != nullptr || sip->sip_status != nullptr) &&
                    sip->sip_via != nullptr && sip->sip_from != nullptr && sip->sip_to != nullptr &&
                    sip->sip_call_id != nullptr && sip->sip_cseq != nullptr;
    msg_destroy(msg);
    return ok;
}

// sdp_parse() in strict mode with a home of its own, then freed.
bool sofia_sdp(const std::string& bytes) {
    sdp_parser_t* p =
        sdp_parse(nullptr, bytes.data(), static_cast<issize_t>(bytes.size()), sdp_f_strict);
    const bool ok = p != nullptr && sdp_session(p) != nullptr && sdp_parsing_error(p) == nullptr;
    sdp_parser_free(p);
    return ok;
}

} // namespace parley::bench::peers
