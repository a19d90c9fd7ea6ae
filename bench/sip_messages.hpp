// Typical messages of a basic call, used by the parse/serialize microbenchmarks.
#pragma once

#include <string>

namespace parley::bench {

inline const std::string sdp_offer = "v=0\r\n"
                                     "o=alice 2890844526 2890844526 IN IP4 192.0.2.101\r\n"
                                     "s=-\r\n"
                                     "c=IN IP4 192.0.2.101\r\n"
                                     "t=0 0\r\n"
                                     "m=audio 49172 RTP/AVP 0 8 9 101\r\n"
                                     "a=rtpmap:0 PCMU/8000\r\n"
                                     "a=rtpmap:8 PCMA/8000\r\n"
                                     "a=rtpmap:9 G722/8000\r\n"
                                     "a=rtpmap:101 telephone-event/8000\r\n"
                                     "a=fmtp:101 0-16\r\n"
                                     "a=ptime:20\r\n"
                                     "a=sendrecv\r\n";

inline const std::string invite =
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "From: \"Alice Liddell\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@pc33.atlanta.example.com:5060;transport=udp>\r\n"
    "Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY, INFO, PRACK, UPDATE\r\n"
    "Supported: 100rel, timer, replaces, norefersub\r\n"
    "Session-Expires: 1800\r\n"
    "Min-SE: 90\r\n"
    "User-Agent: Parley-Bench/1.0\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: " +
    std::to_string(sdp_offer.size()) + "\r\n\r\n" + sdp_offer;

inline const std::string ok_with_sdp =
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport=5060;"
    "received=192.0.2.101\r\n"
    "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"
    "From: \"Alice Liddell\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:bob@192.0.2.4:5060>\r\n"
    "Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY, INFO, PRACK, UPDATE\r\n"
    "Supported: 100rel, timer, replaces\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: " +
    std::to_string(sdp_offer.size()) + "\r\n\r\n" + sdp_offer;

inline const std::string ack =
    "ACK sip:bob@192.0.2.4:5060 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bKnashds9\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"
    "From: \"Alice Liddell\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 ACK\r\n"
    "Content-Length: 0\r\n\r\n";

inline const std::string bye =
    "BYE sip:bob@192.0.2.4:5060 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bKnashds10\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"
    "From: \"Alice Liddell\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314160 BYE\r\n"
    "Content-Length: 0\r\n\r\n";

} // namespace parley::bench
