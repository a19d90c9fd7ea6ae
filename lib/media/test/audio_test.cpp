// The media layer's audio building blocks without sockets: G.711 and G.722 codecs, tones and
// sound files, and the RTP, RTCP and RFC 4733 wire formats with the receive statistics.
#include <parley/media/audio_source.hpp>
#include <parley/media/codec.hpp>
#include <parley/media/rtp.hpp>

#include <sndfile.h>

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <string>
#include <vector>

namespace parley::media {
namespace {

// ---- G.711 -------------------------------------------------------------------------------

TEST(g711, known_values) {
    EXPECT_EQ(linear_to_ulaw(0), 0xFF);
    EXPECT_EQ(ulaw_to_linear(0xFF), 0);
    EXPECT_EQ(ulaw_to_linear(0x7F), 0); // µ-law's negative zero
    EXPECT_EQ(linear_to_ulaw(32767), 0x80);
    EXPECT_EQ(linear_to_ulaw(-32768), 0x00);
    EXPECT_EQ(ulaw_to_linear(0x80), 32124);
    EXPECT_EQ(ulaw_to_linear(0x00), -32124);

    EXPECT_EQ(linear_to_alaw(0), 0xD5);
    EXPECT_EQ(alaw_to_linear(0xD5), 8);
    EXPECT_EQ(linear_to_alaw(-1), 0x55);
    EXPECT_EQ(alaw_to_linear(0x55), -8);
    EXPECT_EQ(linear_to_alaw(32767), 0xAA);
    EXPECT_EQ(linear_to_alaw(-32768), 0x2A);
    EXPECT_EQ(alaw_to_linear(0xAA), 32256);
    EXPECT_EQ(alaw_to_linear(0x2A), -32256);
}

TEST(g711, every_code_survives_decode_then_encode) {
    for (int code = 0; code < 256; ++code) {
        auto b = static_cast<std::uint8_t>(code);
        EXPECT_EQ(linear_to_alaw(alaw_to_linear(b)), b) << code;
        // 0x7F is µ-law's negative zero: it decodes to 0, which encodes as 0xFF.
        if (code != 0x7F) {
            EXPECT_EQ(linear_to_ulaw(ulaw_to_linear(b)), b) << code;
        }
    }
    EXPECT_EQ(linear_to_ulaw(ulaw_to_linear(0x7F)), 0xFF);
}

TEST(g711, error_stays_within_half_a_step_over_a_sweep) {
    // Each segment halves the resolution: the error is at most 1/32 of the magnitude plus the
    // finest step, and µ-law clips above 32635 (decoding at most 32124).
    int worst_ulaw = 0;
    int worst_alaw = 0;
    for (int s = -32768; s <= 32767; ++s) {
        auto sample = static_cast<std::int16_t>(s);
        int ulaw_error = std::abs(ulaw_to_linear(linear_to_ulaw(sample)) - s);
        int alaw_error = std::abs(alaw_to_linear(linear_to_alaw(sample)) - s);
        ASSERT_LE(ulaw_error, (std::abs(s) + 0x84) / 32 + 1) << s;
        ASSERT_LE(alaw_error, std::abs(s) / 32 + 9) << s;
        worst_ulaw = std::max(worst_ulaw, ulaw_error);
        worst_alaw = std::max(worst_alaw, alaw_error);
    }
    EXPECT_LE(worst_ulaw, 32768 - 32124);
    EXPECT_LE(worst_alaw, 1024);
    // Small signals are fine-grained.
    for (int s = -100; s <= 100; ++s) {
        auto sample = static_cast<std::int16_t>(s);
        EXPECT_LE(std::abs(ulaw_to_linear(linear_to_ulaw(sample)) - s), 4) << s;
        EXPECT_LE(std::abs(alaw_to_linear(linear_to_alaw(sample)) - s), 8) << s;
    }
}

TEST(g711, sign_and_order_are_monotonic) {
    int previous_ulaw = -32768;
    int previous_alaw = -32768;
    for (int s = -32768; s <= 32767; s += 7) {
        auto sample = static_cast<std::int16_t>(s);
        int u = ulaw_to_linear(linear_to_ulaw(sample));
        int a = alaw_to_linear(linear_to_alaw(sample));
        EXPECT_GE(u, previous_ulaw);
        EXPECT_GE(a, previous_alaw);
        previous_ulaw = u;
        previous_alaw = a;
    }
}

TEST(codec, names_rates_and_payload_types) {
    EXPECT_EQ(codec_from_name("PCMU"), audio_codec::pcmu);
    EXPECT_EQ(codec_from_name("pcma"), audio_codec::pcma);
    EXPECT_EQ(codec_from_name("g722"), audio_codec::g722);
    EXPECT_EQ(codec_from_name("G7221"), std::nullopt);
    EXPECT_EQ(codec_from_name(""), std::nullopt);
    EXPECT_EQ(codec_name(audio_codec::g722), "G722");
    EXPECT_EQ(audio_rate(audio_codec::pcmu), 8000u);
    EXPECT_EQ(audio_rate(audio_codec::pcma), 8000u);
    EXPECT_EQ(audio_rate(audio_codec::g722), 16000u);
    for (auto c : {audio_codec::pcmu, audio_codec::pcma, audio_codec::g722})
        EXPECT_EQ(rtp_clock(c), 8000u);
    EXPECT_EQ(static_payload_type(audio_codec::pcmu), 0);
    EXPECT_EQ(static_payload_type(audio_codec::pcma), 8);
    EXPECT_EQ(static_payload_type(audio_codec::g722), 9);
}

TEST(codec, g711_encoder_and_decoder_use_the_functions) {
    std::vector<std::int16_t> pcm{0, 1000, -1000, 32767, -32768};
    for (auto c : {audio_codec::pcmu, audio_codec::pcma}) {
        auto encoder = make_encoder(c);
        auto decoder = make_decoder(c);
        std::vector<std::uint8_t> payload(pcm.size());
        ASSERT_EQ(encoder->encode(pcm, payload), pcm.size());
        std::vector<std::int16_t> decoded(pcm.size());
        ASSERT_EQ(decoder->decode(payload, decoded), pcm.size());
        for (std::size_t i = 0; i < pcm.size(); ++i) {
            auto expected = c == audio_codec::pcmu ? ulaw_to_linear(linear_to_ulaw(pcm[i]))
                                                   : alaw_to_linear(linear_to_alaw(pcm[i]));
            EXPECT_EQ(decoded[i], expected);
        }
        // Bounded by the output.
        std::vector<std::uint8_t> small(2);
        EXPECT_EQ(encoder->encode(pcm, small), 2u);
        std::vector<std::int16_t> small_pcm(3);
        EXPECT_EQ(decoder->decode(payload, small_pcm), 3u);
    }
}

// ---- G.722 -------------------------------------------------------------------------------

std::vector<std::int16_t> sine(double frequency, unsigned rate, std::size_t samples,
                               double amplitude) {
    std::vector<std::int16_t> pcm(samples);
    for (std::size_t i = 0; i < samples; ++i)
        pcm[i] = static_cast<std::int16_t>(
            std::lround(amplitude * std::sin(2 * std::numbers::pi * frequency *
                                             static_cast<double>(i) / rate)));
    return pcm;
}

/// Encodes and decodes `pcm` in 20 ms frames (320 samples, 160 octets).
std::vector<std::int16_t> g722_round_trip(const std::vector<std::int16_t>& pcm) {
    auto encoder = make_encoder(audio_codec::g722);
    auto decoder = make_decoder(audio_codec::g722);
    std::vector<std::int16_t> decoded;
    for (std::size_t at = 0; at + 320 <= pcm.size(); at += 320) {
        std::vector<std::uint8_t> payload(160);
        EXPECT_EQ(encoder->encode(std::span(pcm).subspan(at, 320), payload), 160u);
        std::vector<std::int16_t> frame(320);
        EXPECT_EQ(decoder->decode(payload, frame), 320u);
        decoded.insert(decoded.end(), frame.begin(), frame.end());
    }
    return decoded;
}

/// The best SNR (dB) of `decoded` against `original` delayed by 0..max_lag samples, skipping
/// the first `settle` samples while the codec adapts.
double best_snr(const std::vector<std::int16_t>& original, const std::vector<std::int16_t>& decoded,
                std::size_t max_lag, std::size_t settle, std::size_t* lag_out = nullptr) {
    double best = -1e9;
    for (std::size_t lag = 0; lag <= max_lag; ++lag) {
        double signal = 0;
        double noise = 0;
        for (std::size_t i = settle; i + lag < decoded.size() && i < original.size(); ++i) {
            double s = original[i];
            double e = decoded[i + lag] - s;
            signal += s * s;
            noise += e * e;
        }
        double snr = 10 * std::log10(signal / std::max(noise, 1e-9));
        if (snr > best) {
            best = snr;
            if (lag_out) *lag_out = lag;
        }
    }
    return best;
}

TEST(g722, a_1khz_sine_comes_back_clean) {
    auto pcm = sine(1000, 16000, 16000, 8000);
    auto decoded = g722_round_trip(pcm);
    ASSERT_EQ(decoded.size(), pcm.size());
    EXPECT_GT(best_snr(pcm, decoded, 40, 1600), 20.0);
}

TEST(g722, the_bands_recombine_without_aliasing_22_samples_late) {
    // Tones in both bands, one near the band edge whose alias the receive QMF must cancel: that
    // works only when the encoder's and decoder's QMF phases match. The
    // delay is the QMF pair's 23 samples less the one the decoder's output pairing advances; a
    // sine would not tell lags a period apart.
    std::vector<std::int16_t> pcm(32000);
    for (std::size_t i = 0; i < pcm.size(); ++i) {
        double t = static_cast<double>(i) / 16000;
        double v = 3000 * std::sin(2 * std::numbers::pi * 437 * t) +
                   3000 * std::sin(2 * std::numbers::pi * 1290 * t) +
                   2000 * std::sin(2 * std::numbers::pi * 3700 * t) +
                   1000 * std::sin(2 * std::numbers::pi * 5100 * t);
        pcm[i] = static_cast<std::int16_t>(std::lround(v));
    }
    auto decoded = g722_round_trip(pcm);
    std::size_t lag = 0;
    EXPECT_GT(best_snr(pcm, decoded, 40, 3200, &lag), 25.0);
    EXPECT_EQ(lag, 22u);
}

TEST(g722, unity_gain_at_dc) {
    std::vector<std::int16_t> pcm(3200, 4000);
    auto decoded = g722_round_trip(pcm);
    ASSERT_EQ(decoded.size(), pcm.size());
    EXPECT_NEAR(decoded[3000], 4000, 40);
    EXPECT_NEAR(decoded[3001], 4000, 40);
}

TEST(g722, speech_band_sines_and_loud_and_quiet_levels) {
    for (double frequency : {300.0, 1000.0, 3000.0, 5000.0, 6500.0}) {
        for (double amplitude : {30000.0, 8000.0, 500.0}) {
            auto pcm = sine(frequency, 16000, 8000, amplitude);
            auto decoded = g722_round_trip(pcm);
            EXPECT_GT(best_snr(pcm, decoded, 40, 1600), amplitude > 1000 ? 15.0 : 10.0)
                << frequency << " Hz at " << amplitude;
        }
    }
}

TEST(g722, silence_stays_near_silence) {
    std::vector<std::int16_t> pcm(16000, 0);
    auto decoded = g722_round_trip(pcm);
    ASSERT_EQ(decoded.size(), pcm.size());
    for (auto s : decoded) ASSERT_LE(std::abs(s), 16);
}

TEST(g722, a_20ms_frame_is_80_octets_per_160_samples) {
    auto encoder = make_encoder(audio_codec::g722);
    std::vector<std::int16_t> pcm(160, 100);
    std::vector<std::uint8_t> payload(200);
    EXPECT_EQ(encoder->encode(pcm, payload), 80u);
    // Bounded by the output, and an odd sample is left over.
    std::vector<std::uint8_t> small(10);
    EXPECT_EQ(encoder->encode(pcm, small), 10u);
    std::vector<std::int16_t> odd(7, 0);
    EXPECT_EQ(encoder->encode(odd, payload), 3u);

    auto decoder = make_decoder(audio_codec::g722);
    std::vector<std::int16_t> out(160);
    EXPECT_EQ(decoder->decode(std::span(payload).first(80), out), 160u);
    std::vector<std::int16_t> short_out(5);
    EXPECT_EQ(decoder->decode(std::span(payload).first(80), short_out), 4u);
}

TEST(g722, every_octet_decodes_within_range) {
    // A peer can send anything: decoding random octets must stay defined (UBSan checks the
    // arithmetic) and the state must not run away.
    auto decoder = make_decoder(audio_codec::g722);
    std::uint32_t x = 12345;
    std::vector<std::uint8_t> payload(16000);
    for (auto& b : payload) {
        x = x * 1664525 + 1013904223;
        b = static_cast<std::uint8_t>(x >> 24);
    }
    std::vector<std::int16_t> out(32000);
    EXPECT_EQ(decoder->decode(payload, out), 32000u);
}

TEST(g722, encoders_keep_their_own_state) {
    auto pcm = sine(1000, 16000, 640, 8000);
    auto first = make_encoder(audio_codec::g722);
    auto second = make_encoder(audio_codec::g722);
    std::vector<std::uint8_t> a(320);
    std::vector<std::uint8_t> b(320);
    first->encode(pcm, a);
    std::vector<std::uint8_t> noise(320);
    second->encode(sine(300, 16000, 640, 20000), noise);
    auto third = make_encoder(audio_codec::g722);
    third->encode(pcm, b);
    EXPECT_EQ(a, b);
}

// ---- RTP ---------------------------------------------------------------------------------

TEST(rtp, header_round_trip) {
    rtp_header h{.payload_type = 9,
                 .marker = true,
                 .sequence = 0xBEEF,
                 .timestamp = 0x01020304,
                 .ssrc = 0xCAFEBABE};
    std::array<std::uint8_t, 20> packet{};
    ASSERT_EQ(write_rtp_header(h, packet), 12u);
    EXPECT_EQ(packet[0], 0x80);
    EXPECT_EQ(packet[1], 0x89);
    for (std::size_t i = 12; i < packet.size(); ++i) packet[i] = static_cast<std::uint8_t>(i);
    auto view = parse_rtp(packet);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->header.payload_type, 9);
    EXPECT_TRUE(view->header.marker);
    EXPECT_EQ(view->header.sequence, 0xBEEF);
    EXPECT_EQ(view->header.timestamp, 0x01020304u);
    EXPECT_EQ(view->header.ssrc, 0xCAFEBABEu);
    ASSERT_EQ(view->payload.size(), 8u);
    EXPECT_EQ(view->payload.data(), packet.data() + 12);

    std::array<std::uint8_t, 11> small{};
    EXPECT_EQ(write_rtp_header(h, small), 0u);
}

/// A packet with 2 CSRCs, a 1-word header extension, a 5-byte payload and 3 bytes of padding.
std::vector<std::uint8_t> full_packet() {
    std::vector<std::uint8_t> p = {0xB2, 0x00, 0x00, 0x01, 0,   0, 0, 160,
                                   0,    0,    0,    7, // V=2 P X CC=2, PT 0, seq 1
                                   1,    2,    3,    4,    5,   6, 6, 8, // CSRCs
                                   0xBE, 0xDE, 0x00, 0x01, 9,   9, 9, 9, // extension, 1 word
                                   'h',  'e',  'l',  'l',  'o',          // payload
                                   0,    0,    3};                       // padding, count 3
    return p;
}

TEST(rtp, csrcs_extension_and_padding_are_skipped) {
    auto p = full_packet();
    auto view = parse_rtp(p);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->header.ssrc, 7u);
    EXPECT_EQ(view->header.timestamp, 160u);
    ASSERT_EQ(view->payload.size(), 5u);
    EXPECT_EQ(std::string(view->payload.begin(), view->payload.end()), "hello");
}

TEST(rtp, malformed_packets_are_rejected) {
    auto p = full_packet();
    auto wrong_version = p;
    wrong_version[0] = 0x72;
    EXPECT_FALSE(parse_rtp(wrong_version));
    auto zero_padding = p;
    zero_padding.back() = 0;
    EXPECT_FALSE(parse_rtp(zero_padding));
    auto long_padding = p;
    long_padding.back() = 9; // more than payload and padding together
    EXPECT_FALSE(parse_rtp(long_padding));
    auto all_padding = p;
    all_padding.back() = 8; // exactly payload and padding: an empty payload is fine
    ASSERT_TRUE(parse_rtp(all_padding));
    EXPECT_TRUE(parse_rtp(all_padding)->payload.empty());
    auto long_extension = p;
    long_extension[23] = 3;
    EXPECT_FALSE(parse_rtp(long_extension));
    auto many_csrcs = p;
    many_csrcs[0] = 0x8F; // 15 CSRCs = 72 bytes of header
    EXPECT_FALSE(parse_rtp(many_csrcs));
    EXPECT_FALSE(parse_rtp({}));
}

TEST(rtp, every_truncation_is_rejected_or_in_bounds) {
    // Each prefix is copied into a buffer of exactly its size, so ASan catches any read past it.
    for (auto flags : {0x80, 0x90, 0xA0, 0xB2, 0x8F, 0xBF}) {
        auto p = full_packet();
        p[0] = static_cast<std::uint8_t>(flags);
        for (std::size_t n = 0; n <= p.size(); ++n) {
            std::vector<std::uint8_t> prefix(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(n));
            auto view = parse_rtp(prefix);
            if (n < 12) {
                EXPECT_FALSE(view) << n;
            }
            if (view) {
                EXPECT_GE(view->payload.data(), prefix.data());
                EXPECT_LE(view->payload.data() + view->payload.size(), prefix.data() + n);
            }
        }
    }
}

TEST(telephone_event, round_trip_and_digits) {
    telephone_event e{.event = 11, .end = true, .volume = 10, .duration = 1600};
    std::array<std::uint8_t, 4> payload{};
    ASSERT_EQ(write_telephone_event(e, payload), 4u);
    EXPECT_EQ(payload[0], 11);
    EXPECT_EQ(payload[1], 0x8A);
    EXPECT_EQ(payload[2], 0x06);
    EXPECT_EQ(payload[3], 0x40);
    auto parsed = parse_telephone_event(payload);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->event, 11);
    EXPECT_TRUE(parsed->end);
    EXPECT_EQ(parsed->volume, 10);
    EXPECT_EQ(parsed->duration, 1600);
    EXPECT_FALSE(parse_telephone_event(std::span(payload).first(3)));
    std::array<std::uint8_t, 3> small{};
    EXPECT_EQ(write_telephone_event(e, small), 0u);
    // The reserved bit is ignored, the volume kept to 6 bits.
    payload[1] = 0x7F;
    EXPECT_EQ(parse_telephone_event(payload)->volume, 63);
    EXPECT_FALSE(parse_telephone_event(payload)->end);

    std::string digits = "0123456789*#ABCD";
    for (std::uint8_t event = 0; event < 16; ++event) {
        EXPECT_EQ(dtmf_digit(event), digits[event]);
        EXPECT_EQ(dtmf_event(digits[event]), event);
    }
    EXPECT_EQ(dtmf_digit(16), '\0');
    EXPECT_EQ(dtmf_digit(255), '\0');
    EXPECT_EQ(dtmf_event('a'), 12);
    EXPECT_EQ(dtmf_event('E'), std::nullopt);
    EXPECT_EQ(dtmf_event('\0'), std::nullopt);
}

TEST(rtcp, multiplexing_is_told_by_the_second_byte) {
    std::array<std::uint8_t, 2> rtcp{0x80, 200};
    std::array<std::uint8_t, 2> rtp{0x80, 0x80}; // marker + PT 0
    std::array<std::uint8_t, 2> rtp_pt_96{0x80, 96};
    EXPECT_TRUE(looks_like_rtcp(rtcp));
    EXPECT_FALSE(looks_like_rtcp(rtp));
    EXPECT_FALSE(looks_like_rtcp(rtp_pt_96));
    EXPECT_FALSE(looks_like_rtcp(std::span(rtcp).first(1)));
}

rtcp_report_input report_input(bool we_sent, bool have_peer) {
    return {.ssrc = 0x11223344,
            .cname = "parley@example.com",
            .we_sent = we_sent,
            .ntp_timestamp = 0xAABBCCDDEEFF0011,
            .rtp_timestamp = 8000,
            .packets_sent = 50,
            .octets_sent = 8000,
            .have_peer = have_peer,
            .peer_ssrc = 0x55667788,
            .fraction_lost = 64,
            .cumulative_lost = -3,
            .extended_highest_sequence = 0x00010005,
            .jitter = 12,
            .last_sr = 0x12345678,
            .delay_since_last_sr = 65536};
}

TEST(rtcp, a_sender_report_is_written_then_parsed) {
    auto in = report_input(true, true);
    std::array<std::uint8_t, 200> out{};
    std::size_t n = write_rtcp_report(in, out);
    // SR 28 + block 24 + SDES (4 + 4 + 2 + 18 + 1 -> 32).
    ASSERT_EQ(n, 28u + 24u + 32u);
    EXPECT_EQ(n, rtcp_report_size(in));
    EXPECT_EQ(out[0], 0x81);
    EXPECT_EQ(out[1], 200);
    EXPECT_EQ(out[3], 12); // 52 bytes = 13 words
    // Report block: fraction 64, cumulative -3 as 24 bits.
    EXPECT_EQ(out[32], 64);
    EXPECT_EQ(out[33], 0xFF);
    EXPECT_EQ(out[34], 0xFF);
    EXPECT_EQ(out[35], 0xFD);
    EXPECT_EQ(out[52], 0x81);
    EXPECT_EQ(out[53], 202);
    EXPECT_EQ(out[60], 1);  // CNAME
    EXPECT_EQ(out[61], 18); // its length
    EXPECT_EQ(std::string(out.begin() + 62, out.begin() + 80), "parley@example.com");
    EXPECT_EQ(out[83], 0); // null-terminated and padded

    auto summary = parse_rtcp(std::span(out).first(n));
    ASSERT_TRUE(summary);
    EXPECT_EQ(summary->ssrc, 0x11223344u);
    EXPECT_TRUE(summary->sender_report);
    EXPECT_EQ(summary->ntp_middle, 0xCCDDEEFFu);
    EXPECT_FALSE(summary->bye);

    EXPECT_EQ(write_rtcp_report(in, std::span(out).first(n - 1)), 0u);
}

TEST(rtcp, a_receiver_report_without_a_peer) {
    for (bool have_peer : {false, true}) {
        auto in = report_input(false, have_peer);
        in.cname = "abc"; // 4 + 4 + 2 + 3 + 1 = 14 -> 16
        std::array<std::uint8_t, 100> out{};
        std::size_t n = write_rtcp_report(in, out);
        ASSERT_EQ(n, 8u + (have_peer ? 24u : 0u) + 16u);
        EXPECT_EQ(out[0], have_peer ? 0x81 : 0x80);
        EXPECT_EQ(out[1], 201);
        auto summary = parse_rtcp(std::span(out).first(n));
        ASSERT_TRUE(summary);
        EXPECT_EQ(summary->ssrc, 0x11223344u);
        EXPECT_FALSE(summary->sender_report);
    }
}

TEST(rtcp, a_bye_and_malformed_compounds) {
    auto in = report_input(false, false);
    in.cname = "abcd"; // 4 + 4 + 2 + 4 + 1 = 15 -> 16
    std::vector<std::uint8_t> packet(8 + 16);
    ASSERT_EQ(write_rtcp_report(in, packet), packet.size());
    std::vector<std::uint8_t> bye = {0x81, 203, 0, 1, 0x11, 0x22, 0x33, 0x44};
    auto with_bye = packet;
    with_bye.insert(with_bye.end(), bye.begin(), bye.end());
    auto summary = parse_rtcp(with_bye);
    ASSERT_TRUE(summary);
    EXPECT_TRUE(summary->bye);

    auto wrong_version = with_bye;
    wrong_version[8] = 0x41;
    EXPECT_FALSE(parse_rtcp(wrong_version));
    auto too_long = with_bye;
    too_long[27] = 2;
    EXPECT_FALSE(parse_rtcp(too_long));
    auto padded_in_the_middle = with_bye;
    padded_in_the_middle[0] |= 0x20;
    EXPECT_FALSE(parse_rtcp(padded_in_the_middle));
    auto short_sr = with_bye;
    short_sr[1] = 200; // an SR of 8 bytes has no sender info
    EXPECT_FALSE(parse_rtcp(short_sr));
    for (std::size_t n = 0; n < with_bye.size(); ++n) {
        std::vector<std::uint8_t> prefix(with_bye.begin(),
                                         with_bye.begin() + static_cast<std::ptrdiff_t>(n));
        // Only the prefixes that end on a packet boundary (the RR, the RR and SDES) are whole.
        EXPECT_EQ(parse_rtcp(prefix).has_value(), n == 8 || n == 24) << n;
    }
}

TEST(rtcp, every_truncation_of_a_sender_report_is_in_bounds) {
    auto in = report_input(true, true);
    std::array<std::uint8_t, 200> out{};
    std::size_t n = write_rtcp_report(in, out);
    for (std::size_t k = 0; k <= n; ++k) {
        std::vector<std::uint8_t> prefix(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(k));
        auto summary = parse_rtcp(prefix);
        if (k == 52 || k == n) {
            EXPECT_TRUE(summary) << k; // the SR alone is a whole compound
        } else {
            EXPECT_FALSE(summary) << k;
        }
    }
}

rtp_header with_sequence(std::uint16_t sequence, std::uint32_t timestamp = 0) {
    return {.payload_type = 0, .sequence = sequence, .timestamp = timestamp, .ssrc = 1};
}

TEST(rtp_receive_stats, in_order_stream_loses_nothing) {
    rtp_receive_stats stats;
    EXPECT_EQ(stats.cumulative_lost(), 0);
    EXPECT_EQ(stats.fraction_lost_since_last(), 0);
    for (std::uint16_t i = 0; i < 100; ++i)
        stats.on_packet(with_sequence(1000 + i, 160u * i), 160u * i);
    EXPECT_EQ(stats.received(), 100u);
    EXPECT_EQ(stats.extended_highest(), 1099u);
    EXPECT_EQ(stats.cumulative_lost(), 0);
    EXPECT_EQ(stats.fraction_lost_since_last(), 0);
    EXPECT_EQ(stats.jitter(), 0u);
}

TEST(rtp_receive_stats, sequence_wraps_into_the_cycle_count) {
    rtp_receive_stats stats;
    for (std::uint32_t i = 0; i < 20; ++i)
        stats.on_packet(with_sequence(static_cast<std::uint16_t>(65530 + i)), 0);
    EXPECT_EQ(stats.extended_highest(), 65536u + 13u);
    EXPECT_EQ(stats.cumulative_lost(), 0);
    // A late packet from before the wrap does not move the maximum back.
    stats.on_packet(with_sequence(65534), 0);
    EXPECT_EQ(stats.extended_highest(), 65536u + 13u);
    EXPECT_EQ(stats.cumulative_lost(), -1); // a duplicate
}

TEST(rtp_receive_stats, losses_are_counted_and_the_fraction_resets) {
    rtp_receive_stats stats;
    // 0..9 with 3 and 7 missing: 8 of 10.
    for (std::uint16_t s = 0; s < 10; ++s)
        if (s != 3 && s != 7) stats.on_packet(with_sequence(s), 0);
    EXPECT_EQ(stats.cumulative_lost(), 2);
    EXPECT_EQ(stats.fraction_lost_since_last(), 2 * 256 / 10);
    // The next interval: 10..19 all there.
    for (std::uint16_t s = 10; s < 20; ++s) stats.on_packet(with_sequence(s), 0);
    EXPECT_EQ(stats.fraction_lost_since_last(), 0);
    EXPECT_EQ(stats.cumulative_lost(), 2);
    // A late arrival of 3 makes up for a loss.
    stats.on_packet(with_sequence(3), 0);
    EXPECT_EQ(stats.cumulative_lost(), 1);
    // 20..40 expected since the last report (21), 2 received in that time (3 and 40).
    stats.on_packet(with_sequence(40), 0);
    EXPECT_EQ(stats.fraction_lost_since_last(), 19 * 256 / 21);
    EXPECT_EQ(stats.fraction_lost_since_last(), 0); // nothing expected since
}

TEST(rtp_receive_stats, a_jump_is_a_restart_only_when_confirmed) {
    rtp_receive_stats stats;
    for (std::uint16_t s = 0; s < 5; ++s) stats.on_packet(with_sequence(s), 0);
    stats.on_packet(with_sequence(30000), 0); // a stray packet: ignored
    EXPECT_EQ(stats.extended_highest(), 4u);
    EXPECT_EQ(stats.received(), 5u);
    stats.on_packet(with_sequence(5), 0);
    stats.on_packet(with_sequence(40000), 0);
    stats.on_packet(with_sequence(40001), 0); // confirmed: the sender restarted
    EXPECT_EQ(stats.extended_highest(), 40001u);
    EXPECT_EQ(stats.received(), 1u);
    EXPECT_EQ(stats.cumulative_lost(), 0);
}

TEST(rtp_receive_stats, jitter_follows_arrival_variation) {
    rtp_receive_stats stats;
    // Packets every 160 timestamp units, arriving alternately 0 and 40 units late.
    for (std::uint32_t i = 0; i < 500; ++i) {
        std::uint32_t timestamp = 0xFFFF0000u + 160 * i; // the timestamp wraps too
        stats.on_packet(with_sequence(static_cast<std::uint16_t>(i), timestamp),
                        timestamp + 1000 + (i % 2 ? 40 : 0));
    }
    // Every |D| is 40: the estimate converges to 40.
    EXPECT_NEAR(static_cast<double>(stats.jitter()), 40.0, 1.0);
}

// ---- Tones ------------------------------------------------------------------------------

using std::chrono::milliseconds;

std::vector<std::int16_t> read_all(audio_source& source, std::size_t limit = 1'000'000) {
    std::vector<std::int16_t> all;
    std::vector<std::int16_t> frame(160);
    while (all.size() < limit) {
        std::size_t n = source.read(frame);
        if (n == 0) break;
        EXPECT_LE(n, frame.size());
        all.insert(all.end(), frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(n));
    }
    return all;
}

std::size_t zero_crossings(std::span<const std::int16_t> pcm) {
    std::size_t crossings = 0;
    for (std::size_t i = 1; i < pcm.size(); ++i)
        if ((pcm[i - 1] < 0) != (pcm[i] < 0)) ++crossings;
    return crossings;
}

TEST(tone, a_single_tone_has_its_frequency_and_level) {
    for (unsigned rate : {8000u, 16000u}) {
        auto source = make_tone({440}, rate, milliseconds(1000));
        auto pcm = read_all(*source);
        ASSERT_EQ(pcm.size(), rate);
        EXPECT_NEAR(static_cast<double>(zero_crossings(pcm)), 880.0, 2.0);
        auto peak = *std::max_element(pcm.begin(), pcm.end());
        EXPECT_NEAR(peak, 32767 * std::pow(10.0, -13.0 / 20), 30); // -13 dBFS
    }
}

/// The amplitude of the `frequency` component of `pcm` (a single-bin DFT).
double tone_amplitude(std::span<const std::int16_t> pcm, double frequency, unsigned rate) {
    double re = 0;
    double im = 0;
    for (std::size_t i = 0; i < pcm.size(); ++i) {
        double angle = 2 * std::numbers::pi * frequency * static_cast<double>(i) / rate;
        re += pcm[i] * std::cos(angle);
        im += pcm[i] * std::sin(angle);
    }
    return 2 * std::hypot(re, im) / static_cast<double>(pcm.size());
}

TEST(tone, two_tones_sum_without_clipping) {
    auto source = make_tone({350, 440}, 8000, milliseconds(1000), -13.0);
    auto pcm = read_all(*source);
    ASSERT_EQ(pcm.size(), 8000u);
    int peak = 0;
    for (auto s : pcm) peak = std::max(peak, std::abs(int{s}));
    EXPECT_GT(peak, 12000);
    EXPECT_LT(peak, 32000);
    // Both tones are there at their level, and nothing between them.
    double expected = 32767 * std::pow(10.0, -13.0 / 20);
    EXPECT_NEAR(tone_amplitude(pcm, 350, 8000), expected, expected * 0.05);
    EXPECT_NEAR(tone_amplitude(pcm, 440, 8000), expected, expected * 0.05);
    EXPECT_LT(tone_amplitude(pcm, 395, 8000), expected * 0.05);
}

TEST(tone, duration_ends_exactly_and_stays_finished) {
    auto source = make_tone({1000}, 8000, milliseconds(125));
    std::vector<std::int16_t> frame(160);
    std::size_t total = 0;
    for (int i = 0; i < 6; ++i) total += source->read(frame);
    EXPECT_EQ(total, 960u);
    EXPECT_EQ(source->read(frame), 40u); // 125 ms at 8 kHz: 1000 samples, not a frame more
    EXPECT_EQ(source->read(frame), 0u);
    EXPECT_EQ(source->read(frame), 0u);
}

TEST(tone, zero_duration_is_endless) {
    auto source = make_tone({425}, 8000, milliseconds(0));
    std::vector<std::int16_t> frame(8000);
    for (int i = 0; i < 30; ++i) ASSERT_EQ(source->read(frame), 8000u);
    EXPECT_NEAR(static_cast<double>(zero_crossings(frame)), 850.0, 2.0);
}

TEST(tone, cadence_alternates_tone_and_silence) {
    // Ringback-like: 100 ms on, 150 ms off, for 1 s = 4 periods of 2000 samples.
    auto source = make_tone({440, 480}, 8000, milliseconds(1000), -13.0, milliseconds(100),
                            milliseconds(150));
    auto pcm = read_all(*source);
    ASSERT_EQ(pcm.size(), 8000u);
    for (std::size_t period = 0; period < 4; ++period) {
        auto on = std::span(pcm).subspan(period * 2000, 800);
        auto off = std::span(pcm).subspan(period * 2000 + 800, 1200);
        int on_peak = 0;
        for (auto s : on) on_peak = std::max(on_peak, std::abs(int{s}));
        EXPECT_GT(on_peak, 10000) << period;
        for (auto s : off) ASSERT_EQ(s, 0) << period;
        // The burst starts and ends softly.
        EXPECT_LT(std::abs(int{on.front()}), 100);
        EXPECT_LT(std::abs(int{on.back()}), 100);
    }
}

// ---- Sound files -------------------------------------------------------------------------

std::string temp_path(const std::string& name) {
    return ::testing::TempDir() + "parley_audio_test_" + name;
}

TEST(sound_file, written_then_read_back_at_the_same_rate) {
    std::string path = temp_path("same_rate.wav");
    auto tone_pcm = read_all(*make_tone({300, 700}, 8000, milliseconds(500)));
    std::string error;
    {
        auto writer = sound_file_writer::create(path, 8000, error);
        ASSERT_TRUE(writer) << error;
        writer->write(std::span(tone_pcm).first(1000));
        writer->write(std::span(tone_pcm).subspan(1000));
        writer->write({});
        EXPECT_EQ(writer->samples_written(), tone_pcm.size());
        EXPECT_FALSE(writer->failed());
    }
    auto source = open_sound_file(path, 8000, error);
    ASSERT_TRUE(source) << error;
    EXPECT_EQ(read_all(*source), tone_pcm);
    std::vector<std::int16_t> frame(10);
    EXPECT_EQ(source->read(frame), 0u);
    std::remove(path.c_str());
}

TEST(sound_file, resampling_scales_the_length_and_keeps_the_pitch) {
    std::string path = temp_path("resample.wav");
    auto tone_pcm = read_all(*make_tone({500}, 8000, milliseconds(1000)));
    std::string error;
    {
        auto writer = sound_file_writer::create(path, 8000, error);
        ASSERT_TRUE(writer) << error;
        writer->write(tone_pcm);
    }
    for (unsigned rate : {16000u, 44100u, 11025u, 6000u}) {
        auto source = open_sound_file(path, rate, error);
        ASSERT_TRUE(source) << error;
        auto pcm = read_all(*source);
        EXPECT_NEAR(static_cast<double>(pcm.size()), rate, 2.0) << rate;
        EXPECT_NEAR(static_cast<double>(zero_crossings(pcm)), 1000.0, 4.0) << rate;
    }
    // Upsampling by 2 keeps every input sample and puts the mean between them.
    auto source = open_sound_file(path, 16000, error);
    ASSERT_TRUE(source);
    auto pcm = read_all(*source);
    for (std::size_t i = 0; i + 1 < tone_pcm.size(); i += 97) {
        EXPECT_EQ(pcm[2 * i], tone_pcm[i]);
        EXPECT_NEAR(pcm[2 * i + 1], (tone_pcm[i] + tone_pcm[i + 1]) / 2.0, 1.0);
    }
    std::remove(path.c_str());
}

TEST(sound_file, a_missing_file_names_its_path) {
    std::string path = temp_path("does_not_exist.wav");
    std::string error;
    EXPECT_FALSE(open_sound_file(path, 8000, error));
    EXPECT_NE(error.find(path), std::string::npos) << error;
    EXPECT_GT(error.size(), path.size() + 20) << error; // and a reason

    std::string not_sound = temp_path("not_sound.wav");
    if (FILE* f = std::fopen(not_sound.c_str(), "w")) {
        std::fputs("this is not a sound file, just some text long enough to look at\n", f);
        std::fclose(f);
    }
    error.clear();
    EXPECT_FALSE(open_sound_file(not_sound, 8000, error));
    EXPECT_NE(error.find(not_sound), std::string::npos) << error;
    std::remove(not_sound.c_str());

    error.clear();
    EXPECT_FALSE(sound_file_writer::create(temp_path("no/such/folder/x.wav"), 8000, error));
    EXPECT_NE(error.find("no/such/folder/x.wav"), std::string::npos) << error;
}

TEST(sound_file, a_stereo_file_is_mixed_to_mono) {
    // Written with libsndfile directly: 16 kHz stereo, left a constant, right a ramp.
    std::string path = temp_path("stereo.wav");
    SF_INFO info{};
    info.samplerate = 16000;
    info.channels = 2;
    info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
    ASSERT_NE(file, nullptr) << sf_strerror(nullptr);
    std::vector<std::int16_t> frames;
    for (int i = 0; i < 1600; ++i) {
        frames.push_back(1000);
        frames.push_back(static_cast<std::int16_t>(i * 10));
    }
    ASSERT_EQ(sf_writef_short(file, frames.data(), 1600), 1600);
    sf_close(file);

    std::string error;
    auto source = open_sound_file(path, 16000, error);
    ASSERT_TRUE(source) << error;
    auto pcm = read_all(*source);
    ASSERT_EQ(pcm.size(), 1600u);
    for (std::size_t i = 0; i < pcm.size(); ++i)
        ASSERT_NEAR(pcm[i], (1000 + static_cast<int>(i) * 10) / 2.0, 1.0) << i;

    // And to 8 kHz: every other frame.
    source = open_sound_file(path, 8000, error);
    ASSERT_TRUE(source) << error;
    pcm = read_all(*source);
    ASSERT_EQ(pcm.size(), 800u);
    EXPECT_NEAR(pcm[100], (1000 + 200 * 10) / 2.0, 1.0);
    std::remove(path.c_str());
}

} // namespace
} // namespace parley::media
