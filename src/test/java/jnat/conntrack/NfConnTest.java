package jnat.conntrack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** NfConn's row: 21 ints, and every setter writes its own field only, truncated as the kernel's u8/u16. */
class NfConnTest {
    /** A field: its getter and setter on row 1 of a three-row array (so a stray write off the row shows too). */
    private record Field(String name, int width, Get get, Set set) {}

    private interface Get { int get(int[] ct, int row); }
    private interface Set { void set(int[] ct, int row, int v); }

    private static List<Field> fields() {
        List<Field> f = new java.util.ArrayList<>(List.of(
                new Field("status", 32, NfConn::status, NfConn::setStatus),
                new Field("timeout", 32, NfConn::timeout, NfConn::setTimeout),
                new Field("state", 8, NfConn::state, NfConn::setState),
                new Field("lastDir", 8, NfConn::lastDir, NfConn::setLastDir),
                new Field("lastIndex", 8, NfConn::lastIndex, NfConn::setLastIndex),
                new Field("retrans", 8, NfConn::retrans, NfConn::setRetrans),
                new Field("lastSeq", 32, NfConn::lastSeq, NfConn::setLastSeq),
                new Field("lastAck", 32, NfConn::lastAck, NfConn::setLastAck),
                new Field("lastEnd", 32, NfConn::lastEnd, NfConn::setLastEnd),
                new Field("lastWin", 16, NfConn::lastWin, NfConn::setLastWin),
                new Field("lastWscale", 8, NfConn::lastWscale, NfConn::setLastWscale),
                new Field("lastFlags", 8, NfConn::lastFlags, NfConn::setLastFlags)));
        for (int d = 0; d < 2; d++) {
            int dir = d;
            if (d == 0) f.add(new Field("tupleSrc0", 32, (c, r) -> NfConn.tupleSrc(c, r, 0), NfConn::setOrigSrc));
            f.add(new Field("tupleDst" + d, 32, (c, r) -> NfConn.tupleDst(c, r, dir), (c, r, v) -> NfConn.setTupleDst(c, r, dir, v)));
            f.add(new Field("tuplePorts" + d, 32, (c, r) -> NfConn.tuplePorts(c, r, dir), (c, r, v) -> NfConn.setTuplePorts(c, r, dir, v)));
            f.add(new Field("tdEnd" + d, 32, (c, r) -> NfConn.tdEnd(c, r, dir), (c, r, v) -> NfConn.setTdEnd(c, r, dir, v)));
            f.add(new Field("tdMaxEnd" + d, 32, (c, r) -> NfConn.tdMaxEnd(c, r, dir), (c, r, v) -> NfConn.setTdMaxEnd(c, r, dir, v)));
            f.add(new Field("tdMaxWin" + d, 32, (c, r) -> NfConn.tdMaxWin(c, r, dir), (c, r, v) -> NfConn.setTdMaxWin(c, r, dir, v)));
            f.add(new Field("tdMaxAck" + d, 32, (c, r) -> NfConn.tdMaxAck(c, r, dir), (c, r, v) -> NfConn.setTdMaxAck(c, r, dir, v)));
            f.add(new Field("tdScale" + d, 8, (c, r) -> NfConn.tdScale(c, r, dir), (c, r, v) -> NfConn.setTdScale(c, r, dir, v)));
            f.add(new Field("flags" + d, 8, (c, r) -> NfConn.flags(c, r, dir), (c, r, v) -> NfConn.setFlags(c, r, dir, v)));
        }
        return f;
    }

    @Test
    void theRowIsTwentyOneInts() {
        assertEquals(21, NfConn.ROW, "bytesPerConnection's figures in the README assume 84-byte rows");
    }

    @Test
    void theReplysSourceReadsTheOriginalsDestination() {
        int[] ct = new int[NfConn.ROW];
        NfConn.setTupleDst(ct, 0, ConnTable.ORIGINAL, 0x0a000001);
        assertEquals(0x0a000001, NfConn.tupleSrc(ct, 0, ConnTable.REPLY));
    }

    @Test
    void theMasqSlotTakesSixBitsOfTheStatusIntAndNoOtherBit() {
        int[] ct = new int[3 * NfConn.ROW];
        int row = NfConn.ROW;
        NfConn.setStatus(ct, row, 0x81ff_ffff); // every IPS_* bit, protonum, family and ALLOCATED
        NfConn.setMasqSlot(ct, row, -1);
        assertEquals(NfConn.MASQ_MASK, NfConn.masqSlot(ct, row));
        assertEquals(-1, NfConn.status(ct, row), "the slot fills bits 25-30");
        NfConn.setMasqSlot(ct, row, 0);
        assertEquals(0x81ff_ffff, NfConn.status(ct, row), "clearing the slot leaves the other bits");
    }

    @Test
    void everySetterWritesItsFieldOnlyAndTruncates() {
        List<Field> all = fields();
        int row = NfConn.ROW;
        int bits = all.stream().mapToInt(Field::width).sum();
        assertEquals(NfConn.ROW * 32, bits, "the fields fill the row exactly");
        for (Field f : all) {
            int[] ct = new int[3 * NfConn.ROW];
            f.set().set(ct, row, -1);
            int want = f.width() == 32 ? -1 : (1 << f.width()) - 1;
            assertEquals(want, f.get().get(ct, row), f.name());
            for (Field g : all) {
                if (g != f) assertEquals(0, g.get().get(ct, row), f.name() + " leaked into " + g.name());
            }
            f.set().set(ct, row, 0);
            assertArrayEquals(new int[3 * NfConn.ROW], ct, f.name() + " wrote outside its bits");
        }
    }

    @Test
    void udpStreamTsSharesTheTcpUnion() {
        int[] ct = new int[NfConn.ROW];
        NfConn.setStreamTs(ct, 0, 0x1234_5678_9abc_def0L);
        assertEquals(0x1234_5678_9abc_def0L, NfConn.streamTs(ct, 0));
        assertEquals(0x12345678, NfConn.tdEnd(ct, 0, ConnTable.ORIGINAL));
        assertEquals(0x9abcdef0, NfConn.tdMaxEnd(ct, 0, ConnTable.ORIGINAL));
    }
}
