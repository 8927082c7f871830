package jnat.fuzz;

import jnat.gateway.ControlProtocol;
import jnat.gateway.Gateway;
import jnat.gateway.GatewayControl;
import jnat.host.Host;
import jnat.nat.NatEngine;
import jnat.rules.Ruleset;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control socket's protocol and commands, without devices: {@link ControlProtocol#readRequest}
 * on random bytes and damaged requests decodes a request or throws its
 * {@link ControlProtocol.MalformedException}; {@link GatewayControl#handle} on damaged command
 * lines replies (never throws), and a reply with a non-zero exit code left the ruleset and the
 * conntrack table as they were.
 */
class ControlFuzzTest {
    static final List<List<String>> REQUESTS = List.of(
            List.of("iptables", "-t", "nat", "-nvL"),
            List.of("iptables", "-t", "nat", "-A", "POSTROUTING", "-s", "10.0.0.0/8", "-o", "eth0", "-j", "MASQUERADE"),
            List.of("iptables", "-t", "nat", "-D", "POSTROUTING", "1"),
            List.of("iptables-save", "-c", "-t", "nat"),
            List.of("iptables-restore", "--noflush", "--counters"),
            List.of("conntrack", "-L", "-o", "extended"),
            List.of("conntrack", "-D", "-p", "udp", "-s", "172.17.0.2"),
            List.of("conntrack", "-F"),
            List.of("conntrack", "-C"));
    static final String STDIN = "*nat\n:POSTROUTING ACCEPT [0:0]\n[3:180] -A POSTROUTING -o eth0 -j SNAT --to-source 203.0.113.10\nCOMMIT\n";

    static byte[] encode(List<String> argv, String stdin) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            ControlProtocol.writeRequest(new DataOutputStream(b), new ControlProtocol.Request(argv, stdin));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    @Provide
    Arbitrary<byte[]> requestBytes() {
        List<byte[]> seeds = new ArrayList<>();
        for (List<String> r : REQUESTS) seeds.add(encode(r, r.getFirst().equals("iptables-restore") ? STDIN : null));
        return Arbitraries.oneOf(Mutations.randomBytes(64), Mutations.mutated(seeds, 4));
    }

    @Property
    void decodesARequestOrRefusesItAsMalformed(@ForAll("requestBytes") byte[] bytes) {
        try {
            ControlProtocol.Request r = ControlProtocol.readRequest(new DataInputStream(new ByteArrayInputStream(bytes)));
            assertNotNull(r.argv());
        } catch (ControlProtocol.MalformedException e) {
            assertNotNull(e.getMessage());
        } catch (IOException e) {
            throw new AssertionError("not reported as malformed: " + e, e);
        }
    }

    @Provide
    Arbitrary<ControlProtocol.Request> requests() {
        Arbitrary<List<String>> argv = Combinators.combine(Arbitraries.of(REQUESTS),
                        Combinators.combine(Arbitraries.integers().between(0, 4), Arbitraries.integers(),
                                Arbitraries.of(RulesFuzzTest.WORDS), Mutations.edit()).as(RulesFuzzTest.ArgvEdit::new)
                                .list().ofMaxSize(3))
                .as((a, edits) -> {
                    List<String> l = new ArrayList<>(a);
                    for (RulesFuzzTest.ArgvEdit e : edits) e.apply(l);
                    return l;
                });
        Arbitrary<String> stdin = Arbitraries.oneOf(Arbitraries.just(null), Mutations.mutatedText(List.of(STDIN), 3));
        return Combinators.combine(argv, stdin).as(ControlProtocol.Request::new);
    }

    static final String HOST, RULES;

    static {
        try {
            HOST = Files.readString(Path.of("scripts/lab-host.ip"));
            RULES = Files.readString(Path.of("scripts/lab.rules"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Property
    void repliesAndAFailedCommandChangesNothing(@ForAll("requests") ControlProtocol.Request request) {
        Host host = Host.parse(HOST, "lab-host.ip");
        NatEngine engine = new NatEngine(host, Ruleset.parse(RULES));
        Gateway gateway = new Gateway(engine, List.of(new Gateway.Attachment(host.device("docker0"), "fz-docker0"),
                new Gateway.Attachment(host.device("eth0"), "fz-eth0")));
        Ruleset before = engine.ruleset();
        String saveBefore = before.save(null, true, false);
        int connectionsBefore = engine.connections().count();
        ControlProtocol.Reply reply = new GatewayControl(gateway).handle(request);
        assertNotNull(reply);
        if (reply.exitCode() != 0) {
            assertSame(before, engine.ruleset(), "ruleset replaced by a failed " + request);
            assertEquals(saveBefore, before.save(null, true, false));
            assertEquals(connectionsBefore, engine.connections().count());
            assertTrue(!reply.stderr().isBlank(), "an error says why: " + request);
            assertTrue(!reply.stderr().contains("Exception") && !reply.stderr().contains("\tat "), reply.stderr());
        }
    }
}
