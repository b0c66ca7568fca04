package io.conntrack4j.sync;

import java.util.ArrayList;
import java.util.List;

/** Keeps what a decoder delivered: control kinds with their ranges, and decoded flows. */
final class RecordingHandler implements MessageHandler {
    final List<String> controls = new ArrayList<>();
    final List<SyncFlow> flows = new ArrayList<>();
    final List<Integer> dataTypes = new ArrayList<>();
    final List<Integer> sequences = new ArrayList<>();
    final ConntrackCodec codec;
    int expectations;

    RecordingHandler() {
        this(new ConntrackCodec());
    }

    RecordingHandler(ConntrackCodec codec) {
        this.codec = codec;
    }

    @Override
    public void onControl(MessageHeader header, MessageKind kind) {
        sequences.add(header.sequence());
        controls.add(kind == MessageKind.ALIVE ? "ALIVE"
                : kind + " " + Integer.toUnsignedString(header.from()) + ".." + Integer.toUnsignedString(header.to()));
    }

    @Override
    public void onData(DataMessage message) {
        sequences.add(message.header().sequence());
        dataTypes.add(message.header().typeNibble());
        if (message.isExpectation()) {
            expectations++;
        } else {
            flows.add(codec.decode(message, new SyncFlow()));
        }
    }

    int delivered() {
        return controls.size() + dataTypes.size();
    }
}
