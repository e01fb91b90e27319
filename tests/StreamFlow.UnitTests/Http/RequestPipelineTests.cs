using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using StreamFlow.Functions.Http;

namespace StreamFlow.UnitTests.Http;

public sealed class RequestPipelineTests
{
    private readonly RequestPipeline _pipeline = new(NullLogger<RequestPipeline>.Instance);

    [Fact]
    public async Task Unhandled_exception_becomes_a_500_problem_with_the_trace_id_and_no_stack_trace()
    {
        var context = NewContext();

        await _pipeline.InvokeAsync(context, () => throw new InvalidOperationException("secret connection string Password=hunter2"));

        Assert.Equal(500, context.Response.StatusCode);
        Assert.Equal("application/problem+json; charset=utf-8", context.Response.ContentType);
        var body = ReadBody(context);
        Assert.Equal(context.TraceIdentifier, body.GetProperty("traceId").GetString());
        Assert.DoesNotContain("hunter2", body.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", body.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_valid_correlation_id_is_kept()
    {
        var context = NewContext();
        context.Request.Headers[RequestPipeline.CorrelationHeader] = "abc-123";

        await _pipeline.InvokeAsync(context, () => Task.CompletedTask);

        Assert.Equal("abc-123", context.TraceIdentifier);
    }

    [Fact]
    public async Task An_unsafe_correlation_id_is_replaced()
    {
        var context = NewContext();
        context.Request.Headers[RequestPipeline.CorrelationHeader] = "bad id\r\ninjected: yes";

        await _pipeline.InvokeAsync(context, () => Task.CompletedTask);

        Assert.Matches("^[0-9a-f]{32}$", context.TraceIdentifier);
    }

    private static DefaultHttpContext NewContext()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/api/anything";
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static JsonElement ReadBody(HttpContext context)
    {
        context.Response.Body.Position = 0;
        return JsonDocument.Parse(context.Response.Body).RootElement;
    }
}
