package io.authservice.audit;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Every audit type and reason the code can emit is a constant here, and README's two tables document exactly those. */
class AuditVocabularyDocumentedTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Pattern FIRST_CELL = Pattern.compile("^\\| `([^`]+)` \\|");

    @Test
    void everyEventTypeIsInTheReadmeTypeTable() throws IOException {
        assertThat(table("| type | outcome | when |")).containsExactlyInAnyOrderElementsOf(constants(AuditEventTypes.class));
    }

    @Test
    void everyReasonIsInTheReadmeReasonTable() throws IOException {
        assertThat(table("| reason | of | meaning |")).containsExactlyInAnyOrderElementsOf(constants(AuditReasons.class));
    }

    @Test
    void noValueIsDefinedTwice() {
        final List<String> types = new ArrayList<>(constants(AuditEventTypes.class));
        final List<String> reasons = new ArrayList<>(constants(AuditReasons.class));
        assertThat(types).doesNotHaveDuplicates().isNotEmpty();
        assertThat(reasons).doesNotHaveDuplicates().isNotEmpty();
    }

    /** The backticked first cells of the table under {@code header}, up to its first non-table line. */
    private static List<String> table(String header) throws IOException {
        final List<String> lines = Files.readAllLines(README);
        final int start = lines.indexOf(header);
        assertThat(start).as("README has a table headed %s", header).isNotNegative();
        final List<String> values = new ArrayList<>();
        for (int i = start + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            final Matcher m = FIRST_CELL.matcher(lines.get(i));
            assertThat(m.find()).as("README row %s names one value in backticks", lines.get(i)).isTrue();
            values.add(m.group(1));
        }
        assertThat(values).as("README rows under %s", header).doesNotHaveDuplicates();
        return values;
    }

    private static List<String> constants(Class<?> holder) {
        final List<String> values = new ArrayList<>();
        for (Field f : holder.getDeclaredFields()) {
            final int mod = f.getModifiers();
            if (Modifier.isPublic(mod) && Modifier.isStatic(mod) && f.getType() == String.class) {
                try {
                    values.add((String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return values;
    }
}
