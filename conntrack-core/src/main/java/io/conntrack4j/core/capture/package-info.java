/**
 * Capture files in: a pcap and pcapng reader ({@link io.conntrack4j.core.capture.CaptureReader})
 * that feeds packets and their timestamps to the tracker, for replay and tests.
 */
package io.conntrack4j.core.capture;
