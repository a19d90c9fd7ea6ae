#include <parley/ext/info_dtmf.hpp>

#include <parley/session/session.hpp>

#include <gtest/gtest.h>

namespace parley::ext {
namespace {

std::unique_ptr<message> info(std::string_view type, std::string_view body,
                              std::string_view extra = {}) {
    std::string text =
        "INFO sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
        "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: c\r\nCSeq: 2 INFO\r\n" +
        std::string(extra);
    if (!type.empty()) text += "Content-Type: " + std::string(type) + "\r\n";
    text += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
    auto m = std::make_unique<message>();
    EXPECT_TRUE(parse_message(text, *m, {.buffer = buffer_use::copy}));
    return m;
}

struct answer_log final : request_responder {
    std::vector<int> statuses;
    result<void> respond(std::uint16_t status, std::string_view,
                         const response_extras&) noexcept override {
        statuses.push_back(status);
        return {};
    }
};

TEST(info_dtmf, digits_from_both_body_types) {
    EXPECT_EQ(dtmf_digit("dtmf-relay", "Signal=5\r\nDuration=160\r\n"), '5');
    EXPECT_EQ(dtmf_digit("dtmf-relay", "duration=100\r\nsignal= #\r\n"), '#');
    EXPECT_EQ(dtmf_digit("dtmf-relay", "Signal=10\r\n"), '*');
    EXPECT_EQ(dtmf_digit("dtmf", "7"), '7');
    EXPECT_EQ(dtmf_digit("dtmf", "a"), 'A');
    EXPECT_EQ(dtmf_digit("dtmf-relay", "Signal=16\r\n"), '!') << "hook flash";
    EXPECT_EQ(dtmf_digit("dtmf-relay", "Signal=!\r\n"), '!');
    EXPECT_EQ(dtmf_duration("Signal=5\r\nDuration=160\r\n"), 160u);
    EXPECT_EQ(dtmf_duration("Signal=5\r\n"), 0u);
    EXPECT_EQ(dtmf_duration("Duration=9999999\r\n"), 0u) << "bounded";
    EXPECT_FALSE(dtmf_digit("dtmf-relay", "Signal=X\r\n"));
    EXPECT_FALSE(dtmf_digit("dtmf", ""));
}

struct heard_digits final : dtmf_listener {
    std::string digits;
    std::vector<std::uint32_t> durations;
    void on_dtmf(session&, char digit, std::uint32_t ms) noexcept override {
        digits.push_back(digit);
        durations.push_back(ms);
    }
};

TEST(info_dtmf, answers_200_collects_digits_and_rejects_what_it_cannot_use) {
    extension_registry registry;
    heard_digits heard;
    auto r = registry.add_supplement(std::make_shared<info_dtmf_supplement>(&heard),
                                     {.methods = {method::info}});
    session s(registry.snapshot(), {.id = 1});
    answer_log answers;
    EXPECT_TRUE(s.incoming_request(*info("application/dtmf-relay", "Signal=1\r\nDuration=160\r\n"),
                                   &answers)
                    .was_handled());
    EXPECT_TRUE(s.incoming_request(*info("application/dtmf", "2"), &answers).was_handled());
    EXPECT_EQ(answers.statuses, (std::vector<int>{200, 200}));
    EXPECT_EQ(*s.cookies().get_value<std::string>(dtmf_digits_cookie), "12");
    EXPECT_EQ(heard.digits, "12") << "handed to the application";
    EXPECT_EQ(heard.durations, (std::vector<std::uint32_t>{160, 0}));
    auto bad = s.incoming_request(*info("application/dtmf", "Z"), &answers);
    EXPECT_EQ(bad.status(), 400);
    auto package =
        s.incoming_request(*info("application/foo", "x", "Info-Package: foo\r\n"), &answers);
    EXPECT_EQ(package.status(), 469);
    EXPECT_TRUE(s.incoming_request(*info("text/plain", "hello"), &answers).proceeds())
        << "not ours";
}

} // namespace
} // namespace parley::ext
