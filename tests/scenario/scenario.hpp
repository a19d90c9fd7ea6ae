// What every scenario test sets up: one manual clock, a sim_network on it, a test_uac (alice,
// 10.0.0.1) calling a test_uas (bob, 10.0.0.2); and the end-of-run check that nothing is left:
// no transaction, no dialog, no call state, no armed timer, nothing in flight.
#pragma once

#include "sim_network.hpp"
#include "test_uac.hpp"
#include "test_uas.hpp"

#include <gtest/gtest.h>

#include <initializer_list>

namespace parley::test {

struct world {
    explicit world(const network_options& net, const transaction_options& layers = {})
        : network(wheel, net), uac(network, test_address(1), test_address(2), layers),
          uas(network, test_address(2), layers) {}

    timer_wheel wheel{time_point{}};
    sim_network network;
    test_uac uac;
    test_uas uas;
};

/// Everything gone: what every run must end with.
inline void expect_idle(const timer_wheel& wheel, const sim_network& network,
                        std::initializer_list<user_agent*> user_agents) {
    for (user_agent* ua : user_agents) {
        SCOPED_TRACE(ua->user());
        EXPECT_EQ(ua->transactions().size(), 0u) << "a transaction is left";
        EXPECT_EQ(ua->dialogs().size(), 0u) << "a dialog is left";
        EXPECT_EQ(ua->live_state(), 0u) << "call state is left";
        EXPECT_EQ(ua->refused_calls(), 0u) << "the layer refused a call of the user agent";
    }
    EXPECT_EQ(wheel.size(), 0u) << "a timer is left armed";
    EXPECT_EQ(network.in_flight(), 0u);
    EXPECT_EQ(network.counters().unparsable, 0u);
}

inline void expect_idle(world& w) {
    expect_idle(w.wheel, w.network, {&w.uac, &w.uas});
}

} // namespace parley::test
