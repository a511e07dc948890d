package dev.bedrockjobs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A throwaway git repository in a temporary folder, driven with the real git, isolated from the user's config. */
final class GitRepo {
    final Path dir;

    private GitRepo(Path dir) {
        this.dir = dir;
    }

    static GitRepo init(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        GitRepo repo = new GitRepo(dir);
        repo.git("init", "-q");
        return repo;
    }

    GitRepo write(String path, String content) {
        return write(path, content.getBytes(StandardCharsets.UTF_8));
    }

    GitRepo write(String path, byte[] content) {
        try {
            Path file = dir.resolve(path);
            Files.createDirectories(file.getParent());
            Files.write(file, content);
            return this;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    GitRepo commitAll(String message) {
        git("add", "-A");
        git("commit", "-q", "-m", message);
        return this;
    }

    String git(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        cmd.addAll(List.of(args));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
            Map<String, String> env = pb.environment();
            env.put("GIT_CONFIG_NOSYSTEM", "1");
            env.put("GIT_CONFIG_GLOBAL", dir.resolve(".no-global-gitconfig").toString());
            env.put("GIT_AUTHOR_NAME", "Test");
            env.put("GIT_AUTHOR_EMAIL", "test@example.com");
            env.put("GIT_COMMITTER_NAME", "Test");
            env.put("GIT_COMMITTER_EMAIL", "test@example.com");
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Bytes git takes as binary: a NUL in the first few kilobytes. */
    static byte[] binary(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31);
        }
        b[0] = (byte) 0x89;
        b[1] = 0;
        return b;
    }

    /** A Java class of about {@code lines} lines, a little different for each seed. */
    static String javaClass(String name, int lines, int seed) {
        StringBuilder sb = new StringBuilder("public class " + name + " {\n");
        for (int i = 0; i < lines; i++) {
            sb.append("    int f").append(i).append(" = ").append(i * seed).append(";\n");
        }
        return sb.append("}\n").toString();
    }
}
