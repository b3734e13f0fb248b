package dev.revroll.cli;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import picocli.CommandLine;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code revroll --version} prints the version the pom gives the build, and the Java running it. */
class VersionTest {

    @Test
    void versionIsThePomsProjectVersion() throws Exception {
        Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new File("pom.xml")).getDocumentElement();
        String pomVersion = null;
        for (org.w3c.dom.Node n = project.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals("version")) {
                pomVersion = e.getTextContent().strip();
            }
        }
        StringWriter out = new StringWriter();
        CommandLine cmd = Revroll.commandLine(CommandLine.defaultFactory());
        cmd.setOut(new PrintWriter(out, true));
        assertEquals(0, cmd.execute("--version"));
        String[] lines = out.toString().split("\n");
        assertEquals("revroll " + pomVersion, lines[0]);
        assertEquals("Java " + System.getProperty("java.version"), lines[1].substring(0, lines[1].indexOf(" (")));
        assertEquals(lines[0] + "\n", runVersionOf("status"), "a subcommand's --version says the same");
    }

    private static String runVersionOf(String sub) {
        StringWriter out = new StringWriter();
        CommandLine cmd = Revroll.commandLine(CommandLine.defaultFactory());
        cmd.setOut(new PrintWriter(out, true));
        cmd.execute(sub, "--version");
        return out.toString().lines().findFirst().orElse("") + "\n";
    }
}
