package dev.bedrockjobs.local.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The local stack's folder (default {@code .local/}): dynalite's files under {@code dynamodb/}, the dev tenant's
 * secrets, and {@code endpoints.json} for tools. Files are replaced atomically so a reader never sees half a file,
 * and the secrets are readable by their owner only.
 */
final class DataDirectory implements AutoCloseable {
    static final String DEV_API_KEY = "dev-api-key";
    static final String DEV_WEBHOOK_SECRET = "dev-webhook-secret";
    static final String ENDPOINTS = "endpoints.json";
    private static final String LOCK = ".lock";

    private final Path root;
    private FileChannel lockChannel;

    DataDirectory(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data folder " + this.root, e);
        }
    }

    /**
     * Claims the folder for this process. Two stacks on one folder would fight over dynalite's LevelDB files (the
     * second dynalite dies with "Database is closed"), so the second is stopped here with the reason instead.
     * The operating system releases the lock when the process ends, however it ends.
     */
    DataDirectory lock() {
        Path file = root.resolve(LOCK);
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException sameProcess) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new IllegalStateException("the data folder " + root + " is in use by another local stack; "
                        + "stop it, or start this one with another --data folder");
            }
            lockChannel = channel;
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + file, e);
        }
    }

    @Override
    public void close() {
        if (lockChannel != null) {
            try {
                lockChannel.close();
            } catch (IOException e) {
                // released by the operating system when the process ends anyway
            }
            lockChannel = null;
        }
    }

    Path root() {
        return root;
    }

    Path dynamoDb() {
        return root.resolve("dynamodb");
    }

    Path file(String name) {
        return root.resolve(name);
    }

    Optional<String> read(String name) {
        Path f = file(name);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            String text = Files.readString(f, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
    }

    void writeSecret(String name, String value) {
        write(name, value + "\n", true);
    }

    void write(String name, String content, boolean ownerOnly) {
        Path target = file(name);
        try {
            Path tmp = Files.createTempFile(root, "." + name, ".tmp");
            if (ownerOnly
                    && FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            }
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    void delete(String name) {
        try {
            Files.deleteIfExists(file(name));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file(name), e);
        }
    }
}
