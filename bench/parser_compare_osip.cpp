// GNU oSIP (libosip2) for bench/parser_compare.
#include "parser_compare_peers.hpp"

#include <sofia-sip/su.h>

extern "C" {
#include <osipparser2/osip_message.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/sdp_message.h>
}

namespace parley::bench::peers {

void init() {
    su_init();
    parser_init();
}

void deinit() {
    su_deinit();
}

// osip_message_init + osip_message_parse + osip_message_free.
bool osip_sip(const std::string& bytes) {
    osip_message_t* sip = nullptr;
    if (osip_message_init(&sip) != 0) return false;
    const bool ok = osip_message_parse(sip, bytes.data(), bytes.size()) == 0 &&
                    sip->from != nullptr && sip->to != nullptr && sip->call_id != nullptr &&
                    sip->cseq != nullptr && osip_list_size(&sip->vias) > 0;
    osip_message_free(sip);
    return ok;
}

// sdp_message_init + sdp_message_parse + sdp_message_free.
bool osip_sdp(const std::string& bytes) {
    sdp_message_t* sdp = nullptr;
    if (sdp_message_init(&sdp) != 0) return false;
    const bool ok = sdp_message_parse(sdp, bytes.c_str()) == 0;
    sdp_message_free(sdp);
    return ok;
}

} // namespace parley::bench::peers
