import InfraCore
import InfraResources

/// A Cognito user pool where users sign in with their email address.
///
/// ```swift
/// let users = UserPool(stack, "Users", selfSignUp: true)
/// let web = users.addClient("Web", oauth: .init(callbackUrls: ["https://app.example.com/"]))
/// users.addDomain("Hosted", cognitoDomainPrefix: "my-app-auth")
/// ```
///
/// Defaults: email as the user name (case-insensitive), verified automatically by a code
/// sent by email, account recovery by verified email only; a strong password policy (at
/// least 12 characters with lower- and upper-case letters, digits and symbols; temporary
/// passwords valid 3 days); MFA optional with authenticator apps (TOTP; SMS needs an SNS role
/// and is not offered); only administrators create users (`selfSignUp: false`); advanced
/// security (threat protection, a paid feature of the Plus tier) off; Cognito's own email
/// sender (a few dozen emails a day: configure SES for production); no deletion protection;
/// the pool **retained** when the stack is deleted (it holds the users).
public final class UserPool: Construct, UserPoolRef {
    /// Multi-factor authentication.
    public enum Mfa: String, Sendable {
        case off = "OFF"
        /// Users may add an authenticator app.
        case optional = "OPTIONAL"
        /// Every user must use an authenticator app.
        case required = "ON"
    }

    /// The password rules.
    public struct PasswordPolicy: Sendable, Equatable {
        public var minLength: Int
        public var requireLowercase: Bool
        public var requireUppercase: Bool
        public var requireDigits: Bool
        public var requireSymbols: Bool
        /// How long a temporary password works (whole days, up to 365).
        public var temporaryPasswordValidity: TimeSpan

        /// Defaults: 12 characters, all four character classes, temporary passwords 3 days.
        public init(minLength: Int = 12, requireLowercase: Bool = true, requireUppercase: Bool = true,
                    requireDigits: Bool = true, requireSymbols: Bool = true, temporaryPasswordValidity: TimeSpan = .days(3)) {
            self.minLength = minLength
            self.requireLowercase = requireLowercase
            self.requireUppercase = requireUppercase
            self.requireDigits = requireDigits
            self.requireSymbols = requireSymbols
            self.temporaryPasswordValidity = temporaryPasswordValidity
        }
    }

    /// The CloudFormation resource (`<path>/Resource`).
    public var resource: Cognito.UserPool { poolResource! }

    /// Set in `init`, right after the construct itself (its scope) exists.
    private var poolResource: Cognito.UserPool?
    private let passwordPolicy: PasswordPolicy
    private let userPoolName: String?
    private var removalPolicy: DeletionPolicy = .retain

    /// A new user pool.
    /// - Parameters:
    ///   - userPoolName: default: generated.
    ///   - selfSignUp: let users sign themselves up (default false).
    ///   - mfa: default `.optional` (TOTP).
    ///   - passwordPolicy: default `PasswordPolicy()`.
    ///   - advancedSecurity: threat protection in enforced mode, on the Plus tier (default false).
    ///   - deletionProtection: refuse deletion of the pool (default false).
    ///   - removalPolicy: what happens on stack deletion (default `.retain`).
    public init(
        _ scope: Construct, _ id: String,
        userPoolName: String? = nil,
        selfSignUp: Bool = false,
        mfa: Mfa = .optional,
        passwordPolicy: PasswordPolicy = PasswordPolicy(),
        advancedSecurity: Bool = false,
        deletionProtection: Bool = false,
        removalPolicy: DeletionPolicy = .retain
    ) {
        self.passwordPolicy = passwordPolicy
        self.userPoolName = userPoolName
        super.init(scope, id)
        let p = Cognito.UserPool(self, "Resource")
        poolResource = p
        if let userPoolName { p.userPoolName = StringValue(userPoolName) }
        p.usernameAttributes = ["email"]
        p.autoVerifiedAttributes = ["email"]
        p.usernameConfiguration = .init { $0.caseSensitive = false }
        p.schema = [.init {
            $0.name = "email"
            $0.attributeDataType = "String"
            $0.required = true
            $0.mutable = true
        }]
        p.accountRecoverySetting = .init {
            $0.recoveryMechanisms = [.init {
                $0.name = "verified_email"
                $0.priority = 1
            }]
        }
        p.adminCreateUserConfig = .init { $0.allowAdminCreateUserOnly = BoolValue(!selfSignUp) }
        p.verificationMessageTemplate = .init { $0.defaultEmailOption = "CONFIRM_WITH_CODE" }
        p.policies = .init {
            $0.passwordPolicy = .init {
                $0.minimumLength = NumberValue(passwordPolicy.minLength)
                $0.requireLowercase = BoolValue(passwordPolicy.requireLowercase)
                $0.requireUppercase = BoolValue(passwordPolicy.requireUppercase)
                $0.requireNumbers = BoolValue(passwordPolicy.requireDigits)
                $0.requireSymbols = BoolValue(passwordPolicy.requireSymbols)
                $0.temporaryPasswordValidityDays = NumberValue(passwordPolicy.temporaryPasswordValidity.count(of: .days))
            }
        }
        p.mfaConfiguration = StringValue(mfa.rawValue)
        if mfa != .off { p.enabledMfas = ["SOFTWARE_TOKEN_MFA"] }
        if advancedSecurity {
            p.userPoolTier = .plus
            p.userPoolAddOns = .init { $0.advancedSecurityMode = "ENFORCED" }
        }
        p.deletionProtection = deletionProtection ? "ACTIVE" : "INACTIVE"
        p.deletionPolicy = removalPolicy
        p.updateReplacePolicy = removalPolicy
        self.removalPolicy = removalPolicy
    }

    /// The pool id (`Ref`).
    public var userPoolId: StringValue { resource.ref }
    /// The pool's ARN.
    public var arn: StringValue { resource.attrArn }
    /// The issuer URL of the pool's tokens (`https://cognito-idp.<region>.amazonaws.com/<id>`).
    public var providerUrl: StringValue { resource.attrProviderURL }

    public override func validate() -> [String] {
        var errors = ServerlessSupport.check(passwordPolicy.minLength, in: 6...99, "the minimum password length")
        errors += ServerlessSupport.checkNoSnapshot(removalPolicy, "user pools")
        if let problem = passwordPolicy.temporaryPasswordValidity.problem("temporaryPasswordValidity", unit: .days, in: .zero...(.days(365))) { errors.append(problem) }
        if let name = userPoolName, !(1...128).contains(name.count) {
            errors.append("userPoolName must be 1-128 characters")
        }
        return errors
    }
}
