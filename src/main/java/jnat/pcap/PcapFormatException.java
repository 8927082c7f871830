package jnat.pcap;

import java.io.IOException;

/** A pcap or pcapng file that cannot be read further; the message names the file and the byte offset. */
public final class PcapFormatException extends IOException {
    private final String file;
    private final long offset;

    public PcapFormatException(String file, long offset, String problem) {
        super(file + ": at byte offset " + offset + ": " + problem);
        this.file = file;
        this.offset = offset;
    }

    public String file() {
        return file;
    }

    /** Where in the file the unreadable part starts. */
    public long offset() {
        return offset;
    }
}
