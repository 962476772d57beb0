#include "model/uscc.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace subsidy::model;

namespace {

// Codes of well-known companies as published on their business licences (华为技术有限公司 as shown
// on zh.wikipedia.org, the others as registered in the 国家企业信用信息公示系统).
constexpr const char* kPublished[] = {
    "914403001922038216",  // 华为技术有限公司 (check digit 6)
    "91440300708461136T",  // 深圳市腾讯计算机系统有限公司 (T)
    "91330100716105852F",  // 阿里巴巴（中国）有限公司 (F)
    "91110108551385082Q",  // 小米科技有限责任公司 (Q)
};

TEST(Uscc, PublishedCodesAreValid) {
  for (const char* code : kPublished) {
    EXPECT_EQ(uscc_problem(code), std::nullopt) << code;
    EXPECT_TRUE(looks_like_uscc(code)) << code;
  }
}

TEST(Uscc, EveryOtherCheckCharacterIsNamedWithTheExpectedOne) {
  const std::string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  for (const char* published : kPublished) {
    const std::string code = published;
    int valid = 0;
    for (char check : alphabet) {
      const std::string candidate = code.substr(0, 17) + check;
      const auto problem = uscc_problem(candidate);
      if (!problem) {
        ++valid;
        EXPECT_EQ(check, code[17]);
        continue;
      }
      EXPECT_EQ(*problem, std::string("check digit is ") + check + ", expected " + code[17]) << candidate;
    }
    EXPECT_EQ(valid, 1) << code;
  }
}

TEST(Uscc, ASumDivisibleBy31HasCheckDigitZero) {
  // 9144030019220382 followed by a 17th character chosen so that the weighted sum is 0 mod 31:
  // find it, and the code it completes ends in 0 (31 − 0 = 31 → 0).
  const std::string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  int found = 0;
  for (char c17 : alphabet) {
    const std::string body = std::string("9144030019220382") + c17;
    if (!uscc_problem(body + "0")) {
      ++found;
      for (char other : alphabet) {
        if (other != '0') { EXPECT_TRUE(uscc_problem(body + other).has_value()) << body << other; }
      }
    }
  }
  // Weight 28 is invertible mod 31, so exactly one 17th character makes the sum divisible by 31.
  EXPECT_EQ(found, 1);
}

TEST(Uscc, WrongLengthIsNamed) {
  EXPECT_EQ(uscc_problem("91440300192203821"), "a 统一社会信用代码 has 18 characters, this one has 17");
  EXPECT_EQ(uscc_problem("9144030019220382161"), "a 统一社会信用代码 has 18 characters, this one has 19");
  EXPECT_EQ(uscc_problem(""), "a 统一社会信用代码 has 18 characters, this one has 0");
  // Characters, not bytes: 17 ASCII characters and one Chinese character are 18.
  EXPECT_EQ(uscc_problem("91440300192203821码"),
            "character 18 ('码') is not allowed in a 统一社会信用代码 (digits and capital letters except I, O, S, V, Z)");
  EXPECT_FALSE(looks_like_uscc("91440300192203821"));
}

TEST(Uscc, BadCharacterIsNamedWithItsPosition) {
  for (char bad : {'I', 'O', 'S', 'V', 'Z', '-', ' '}) {
    std::string code = "914403001922038216";
    code[4] = bad;
    EXPECT_EQ(uscc_problem(code), std::string("character 5 ('") + bad +
                                      "') is not allowed in a 统一社会信用代码 (digits and capital letters except I, O, S, V, Z)")
        << code;
    EXPECT_FALSE(looks_like_uscc(code)) << code;
  }
  EXPECT_EQ(uscc_problem("91440300708461136t"),
            "character 18 ('t') is not allowed in a 统一社会信用代码 (digits and capital letters except I, O, S, V, Z); "
            "write letters in capitals");
  // A fullwidth digit (U+FF19) is one character, named as it was typed.
  EXPECT_EQ(uscc_problem("９14403001922038216"),
            "character 1 ('９') is not allowed in a 统一社会信用代码 (digits and capital letters except I, O, S, V, Z)");
  // Bytes that are not UTF-8 are named by their value.
  EXPECT_EQ(uscc_problem(std::string("9144030019220382\xff") + "6"),
            "character 17 (byte 0xFF) is not allowed in a 统一社会信用代码 (digits and capital letters except I, O, S, V, Z)");
}

TEST(Uscc, LooksLikeAnyCodeOfTheAlphabetEvenWithAWrongCheckDigit) {
  EXPECT_TRUE(looks_like_uscc("914403001922038217"));   // legacy code with a wrong check digit: warn
  EXPECT_FALSE(looks_like_uscc("APP-2024-0001"));        // an application id: no warning
  EXPECT_FALSE(looks_like_uscc("91440300708461136t"));  // lower case is not the code's alphabet
}

}  // namespace
