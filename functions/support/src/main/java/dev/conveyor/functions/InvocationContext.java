package dev.conveyor.functions;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A Lambda {@link Context} for invocations outside AWS: the local runtime's and tests'. The remaining time counts
 * down to a real deadline, as it does on Lambda.
 */
public final class InvocationContext implements Context {
    private final String requestId;
    private final String functionName;
    private final int memoryLimitMb;
    private final Instant deadline;

    public InvocationContext(String requestId, String functionName, int memoryLimitMb, Instant deadline) {
        this.requestId = requestId;
        this.functionName = functionName;
        this.memoryLimitMb = memoryLimitMb;
        this.deadline = deadline;
    }

    /** A context for one invocation of {@code functionName} that times out after {@code timeoutSeconds}. */
    public static InvocationContext startingNow(String requestId, String functionName, double timeoutSeconds) {
        return new InvocationContext(requestId, functionName, 1024,
                Instant.now().plusMillis((long) (timeoutSeconds * 1000)));
    }

    @Override
    public String getAwsRequestId() {
        return requestId;
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/" + functionName;
    }

    @Override
    public String getLogStreamName() {
        return "local";
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:us-east-1:000000000000:function:" + functionName;
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        long left = deadline.toEpochMilli() - System.currentTimeMillis();
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, left));
    }

    @Override
    public int getMemoryLimitInMB() {
        return memoryLimitMb;
    }

    @Override
    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override
            public void log(String message) {
                System.out.println(message);
            }

            @Override
            public void log(byte[] message) {
                System.out.println(new String(message, StandardCharsets.UTF_8));
            }
        };
    }
}
