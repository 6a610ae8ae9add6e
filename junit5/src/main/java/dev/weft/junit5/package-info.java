/**
 * JUnit 5 support for code that runs on Weft's fibers: {@link dev.weft.junit5.FiberTest} runs a test
 * method as a fiber on a hub of each available backend, with the hub's watchdog, unobserved fiber
 * failures and a timeout that dumps the hub turned into test failures.
 */
package dev.weft.junit5;
