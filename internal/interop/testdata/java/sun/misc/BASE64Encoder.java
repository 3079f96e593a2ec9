package sun.misc;

// The product page's Java sample encodes its signature with this class,
// which Java 9 removed from the JDK. This stand-in lets the sample run as
// printed on a current JDK (patched into module jdk.unsupported). The
// sample encodes a 20-byte HMAC, which the old class wrote on one line.
public class BASE64Encoder {
    public String encode(byte[] b) {
        return java.util.Base64.getEncoder().encodeToString(b);
    }
}
