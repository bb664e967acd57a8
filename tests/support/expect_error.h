#pragma once
// Shared by the reader tests: runs `f` and expects an exception of type E whose message
// contains every string of `parts` (the file, the row, the problem).
#include <QtTest/QtTest>

#include <string>
#include <vector>

template <class E, class F> void expectError(F f, const std::vector<std::string>& parts) {
    try {
        f();
        QFAIL("no exception");
    } catch (const E& e) {
        for (const auto& p : parts)
            QVERIFY2(std::string(e.what()).find(p) != std::string::npos, e.what());
    }
}
