#include <parley/sip/method.hpp>

namespace parley {

method method_from_token(std::string_view t) noexcept {
    // Switch on length first: one or two comparisons per lookup.
    switch (t.size()) {
    case 3:
        if (t == "ACK") return method::ack;
        if (t == "BYE") return method::bye;
        break;
    case 4:
        if (t == "INFO") return method::info;
        break;
    case 5:
        if (t == "PRACK") return method::prack;
        if (t == "REFER") return method::refer;
        break;
    case 6:
        if (t == "INVITE") return method::invite;
        if (t == "CANCEL") return method::cancel;
        if (t == "UPDATE") return method::update;
        if (t == "NOTIFY") return method::notify;
        break;
    case 7:
        if (t == "OPTIONS") return method::options;
        if (t == "MESSAGE") return method::message;
        if (t == "PUBLISH") return method::publish;
        break;
    case 8:
        if (t == "REGISTER") return method::register_;
        break;
    case 9:
        if (t == "SUBSCRIBE") return method::subscribe;
        break;
    default: break;
    }
    return method::unknown;
}

std::string_view to_string(method m) noexcept {
    switch (m) {
    case method::invite: return "INVITE";
    case method::ack: return "ACK";
    case method::bye: return "BYE";
    case method::cancel: return "CANCEL";
    case method::options: return "OPTIONS";
    case method::register_: return "REGISTER";
    case method::prack: return "PRACK";
    case method::update: return "UPDATE";
    case method::refer: return "REFER";
    case method::info: return "INFO";
    case method::subscribe: return "SUBSCRIBE";
    case method::notify: return "NOTIFY";
    case method::message: return "MESSAGE";
    case method::publish: return "PUBLISH";
    case method::unknown: break;
    }
    return "";
}

} // namespace parley
